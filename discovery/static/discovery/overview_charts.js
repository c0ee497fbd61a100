// Discovery overview charts; data comes from json_script (no inline scripts), and each chart has
// the same figures in a data table under it.
(function () {
  // Colour-blind-safe palette (Okabe–Ito, then greys for "Other").
  const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000", "#999999"];
  const STATUS_COLOURS = { Sanctioned: "#1a7f37", Unsanctioned: "#b54708", Blocked: "#7a1b12" };

  const read = discoveryCharts.read;

  function drawTraffic() {
    const canvas = document.getElementById("traffic-chart");
    const data = read("traffic-data");
    if (!canvas || !data) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((ds, i) => ({
          label: ds.label,
          data: ds.data,
          backgroundColor: ds.label === "Other" ? "#999999" : PALETTE[i % PALETTE.length],
          stack: "requests",
        })),
      },
      options: discoveryCharts.axisOptions({
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: "Requests" }, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
      }),
    });
  }

  function drawShare() {
    const canvas = document.getElementById("share-chart");
    const data = read("share-data");
    if (!canvas || !data) return;
    new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: [{ data: data.requests, backgroundColor: data.labels.map((l) => STATUS_COLOURS[l] || "#999999") }],
      },
      options: discoveryCharts.options({ plugins: { legend: { position: "right" } } }),
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Chart === "undefined") return;
    drawTraffic();
    drawShare();
  });
})();
