// Daily usage chart on the discovered-app page; data comes from json_script (no inline scripts).
// A "select all" box ticks every box of the same name (bulk triage of the app's findings).
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const form = all.closest("form") || document;
  form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("usage-chart");
  const data = discoveryCharts.read("usage-data");
  if (!canvas || !data || typeof Chart === "undefined") return;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "Requests", data: data.requests, backgroundColor: "rgba(1, 114, 173, 0.6)", yAxisID: "y" },
        { type: "line", label: "Distinct users", data: data.users, borderColor: "#b54708", backgroundColor: "#b54708", yAxisID: "y1", tension: 0.2 },
      ],
    },
    options: discoveryCharts.axisOptions({
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "Requests" }, ticks: { precision: 0 } },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Users" }, ticks: { precision: 0 } },
      },
    }),
  });
});
