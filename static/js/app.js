// Sightline front-end glue. No inline scripts anywhere (CSP): behaviour is attached here.
document.addEventListener("DOMContentLoaded", () => {
  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    const target = document.getElementById("htmx-error");
    if (target) target.textContent = status === 403 ? "You do not have permission to do that." : `Request failed (${status}).`;
  });
});
