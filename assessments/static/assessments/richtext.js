// Long answers get a small rich-text editor (vendored pell) instead of a box for HTML tags.
// The textarea stays the form field: the editor writes its HTML back and fires "change" when it
// loses focus, so htmx autosaves as before; the server sanitises what arrives (nh3).
(() => {
  // Text icons: the vendored emoji link icon has no glyph in many system fonts.
  const ACTIONS = [
    "bold", "italic", "underline",
    { name: "olist", icon: "1." }, { name: "ulist", icon: "&#8226;" }, "quote",
    { name: "link", icon: "Link" },
  ];

  function enhance(textarea) {
    if (textarea.dataset.enhanced || textarea.disabled || typeof pell === "undefined") return;
    textarea.dataset.enhanced = "1";
    const holder = document.createElement("div");
    holder.className = "richtext";
    textarea.insertAdjacentElement("afterend", holder);
    let html = textarea.value;
    const editor = pell.init({
      element: holder,
      defaultParagraphSeparator: "p",
      actions: ACTIONS,
      onChange: (value) => { html = value; },
    });
    editor.content.innerHTML = textarea.value;  // sanitised by the server when it was saved
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    editor.content.setAttribute("role", "textbox");
    editor.content.setAttribute("aria-multiline", "true");
    editor.content.setAttribute("aria-label", label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : "Answer");
    editor.content.id = `${textarea.id}-editor`;
    if (label) label.htmlFor = editor.content.id;
    holder.querySelectorAll(".pell-button").forEach((b) => b.setAttribute("aria-label", b.title));
    textarea.hidden = true;
    editor.content.addEventListener("blur", () => {
      if (textarea.value === html) return;
      textarea.value = html;
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function scan(root) {
    root.querySelectorAll("textarea[data-richtext]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:afterSwap", (event) => scan(event.target));
})();
