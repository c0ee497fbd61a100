// Gateway usage charts (tokens or cost per day by team or model) and budget burn-down charts.
// Data comes from json_script elements (no inline scripts); each chart has a table fallback.
(() => {
  const charts = {};
  const palette = ["#0172ad", "#b54708", "#2f7d32", "#7b3fa0", "#c2185b", "#00838f", "#8d6e63", "#5c6bc0", "#9e9e9e"];

  function drawUsage(id, measure) {
    const canvas = document.querySelector(`canvas[data-usage-chart-canvas="${id}"]`);
    const data = discoveryCharts.read(id);
    if (!data || !canvas || typeof Chart === "undefined") return;
    if (charts[id]) charts[id].destroy();
    charts[id] = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((ds, i) => ({
          label: ds.label,
          data: ds[measure],
          backgroundColor: palette[i % palette.length],
          stack: "usage",
        })),
      },
      options: discoveryCharts.axisOptions({
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: measure === "cost" ? "Cost (USD)" : "Tokens" },
          },
        },
      }),
    });
  }

  const burnDrawn = new WeakSet();

  function drawBurn(canvas) {
    if (burnDrawn.has(canvas)) return;
    burnDrawn.add(canvas);
    const data = discoveryCharts.read(canvas.dataset.burnChart);
    if (!data || typeof Chart === "undefined") return;
    const line = (value, label, colour) => ({
      label, data: data.labels.map(() => value), borderColor: colour, borderDash: [6, 4],
      pointRadius: 0, borderWidth: 1, fill: false,
    });
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          ...data.datasets.map((ds, i) => ({
            label: ds.label, data: ds.data, borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length], spanGaps: false, tension: 0.1,
          })),
          line(80, "80 % alert", "#b54708"),
          line(100, "Budget", "#7a1010"),
        ],
      },
      options: discoveryCharts.axisOptions({
        scales: { y: { beginAtZero: true, title: { display: true, text: "% of the monthly budget used" } } },
      }),
    });
  }

  function init(root) {
    root.querySelectorAll("canvas[data-usage-chart-canvas]").forEach((c) => drawUsage(c.dataset.usageChartCanvas, "tokens"));
    root.querySelectorAll("canvas[data-burn-chart]").forEach(drawBurn);
  }

  document.addEventListener("change", (event) => {
    const radio = event.target.closest("input[data-usage-chart]");
    if (radio) drawUsage(radio.dataset.usageChart, radio.value);
  });
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSettle", (event) => init(event.target));
})();
