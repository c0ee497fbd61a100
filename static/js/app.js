// Sightline front-end glue. No inline scripts anywhere (CSP): behaviour is attached here.
function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); } finally { area.remove(); }
  return Promise.resolve();
}

document.addEventListener("DOMContentLoaded", () => {
  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    const target = document.getElementById("htmx-error");
    if (target) target.textContent = status === 403 ? "You do not have permission to do that." : `Request failed (${status}).`;
  });

  // Copy buttons: <button class="copy" data-copy="…">, also inside content swapped in later.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy[data-copy]");
    if (!button) return;
    copyText(button.dataset.copy).then(() => {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(() => { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
    });
  });
});
