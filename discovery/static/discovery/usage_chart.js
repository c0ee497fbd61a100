// Daily usage chart on the discovered-app page; data comes from json_script (no inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("usage-chart");
  const source = document.getElementById("usage-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "Requests", data: data.requests, backgroundColor: "rgba(1, 114, 173, 0.6)", yAxisID: "y" },
        { type: "line", label: "Distinct users", data: data.users, borderColor: "#b54708", backgroundColor: "#b54708", yAxisID: "y1", tension: 0.2 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "Requests" } },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Users" }, ticks: { precision: 0 } },
      },
    },
  });
});
