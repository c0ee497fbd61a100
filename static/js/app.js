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

// Wide tables scroll inside their own box, so the page itself never scrolls sideways.
function wrapTables(root) {
  root.querySelectorAll("main table").forEach((table) => {
    let wrap = table.closest(".table-wrap, .scroll-x");
    if (!wrap) {
      wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.before(wrap);
      wrap.appendChild(table);
    }
    // A box that scrolls must be reachable by keyboard too.
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wrapTables(document);
  document.body.addEventListener("htmx:afterSettle", (event) => wrapTables(event.detail.elt.closest("main") ? event.detail.elt : document));

  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    const target = document.getElementById("htmx-error");
    if (target) target.textContent = status === 403 ? "You do not have permission to do that." : `Request failed (${status}).`;
  });

  // Phone menu: the button shows and hides the navigation; Escape closes it.
  const toggle = document.getElementById("nav-toggle");
  const menu = document.getElementById("nav-menu");
  if (toggle && menu) {
    const setOpen = (open) => {
      menu.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // The inbox count also shows on the Menu button, where the phone menu hides the navigation.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (!toggle || !event.detail.target.closest("#nav-inbox")) return;
    const count = event.detail.target.querySelector(".inbox-count");
    toggle.querySelector(".inbox-count")?.remove();
    if (count) {
      const copy = count.cloneNode(true);
      copy.removeAttribute("id");
      copy.setAttribute("aria-hidden", "true");
      toggle.append(" ", copy);
    }
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
