// Loaded before the page is drawn: CSS keeps the phone menu closed only when script runs.
document.documentElement.classList.add("js");
