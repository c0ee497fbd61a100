// Risk-tier distribution chart on the dashboard; data comes from a json_script block (no inline JS).
document.addEventListener("DOMContentLoaded", () => {
  const dataEl = document.getElementById("risk-tier-data");
  const canvas = document.getElementById("risk-tier-chart");
  if (!dataEl || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(dataEl.textContent);
  const colours = {
    prohibited: "#7a1f1a",
    high: "#b42318",
    limited: "#b54708",
    minimal: "#1b7f3b",
    not_applicable: "#98a2b3",
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.keys.map((key, i) => ({
        label: data.tiers[i],
        data: data.series[i],
        backgroundColor: colours[key] || "#667085",
      })),
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, ticks: { precision: 0 }, title: { display: true, text: "Systems" } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
});
