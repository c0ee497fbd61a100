// Autosave feedback for assessment forms (no inline scripts: CSP). htmx does the saving itself.
(() => {
  const questionOf = (el) => el && el.closest && el.closest("form.question");
  document.addEventListener("input", (event) => {
    const form = questionOf(event.target);
    if (form) form.classList.add("dirty");
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = questionOf(event.detail.elt);
    if (form) form.classList.remove("offline");
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = questionOf(event.detail.elt);
    if (!form) return;
    if (event.detail.successful) form.classList.remove("dirty", "offline");
    else form.classList.add("offline");
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, (event) => {
      const form = questionOf(event.detail.elt);
      if (form) form.classList.add("offline");
    });
  }
  // Warn before leaving while a save is still in flight or a change has not been sent yet.
  window.addEventListener("beforeunload", (event) => {
    if (document.querySelector("form.question.htmx-request, form.question.dirty, form.question.offline")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
