// What discovery's charts share: the data of a json_script element (no inline scripts) and the
// options every chart starts from. Load it before the script that draws a page's charts.
window.discoveryCharts = {
  read(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  },
  // Fixed size from the CSS box, no animation; `extra` adds or replaces options.
  options(extra) {
    return { responsive: true, maintainAspectRatio: false, animation: false, ...extra };
  },
  // The same, with one tooltip for all the series at a point (bar and line charts).
  axisOptions(extra) {
    return this.options({ interaction: { mode: "index", intersect: false }, ...extra });
  },
};
