// The learner page's chart of progress and welfare ratings over time, drawn from the ratings table below it (the
// table is what screen readers read; the chart is hidden from them and only shown once drawn).
(function () {
  "use strict";
  const table = document.getElementById("ratings-table");
  const canvas = document.getElementById("ratings-chart");
  if (!table || !canvas || typeof window.Chart === "undefined") return;
  const rows = Array.from(table.querySelectorAll("tbody tr[data-visit]")).reverse(); // oldest first
  const score = (value) => (value === "" ? null : Number(value));
  const words = { 1: "Red", 2: "Amber", 3: "Green" };
  const labels = rows.map((row) => row.dataset.visit);
  document.getElementById("ratings-chart-panel").hidden = false;
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "Progress", data: rows.map((row) => score(row.dataset.progress)), borderColor: "#1d70b8",
          backgroundColor: "#1d70b8", pointStyle: "circle", pointRadius: 5, spanGaps: true, clip: false },
        { label: "Welfare", data: rows.map((row) => score(row.dataset.welfare)), borderColor: "#505a5f",
          backgroundColor: "#505a5f", pointStyle: "rectRot", pointRadius: 6, borderDash: [6, 4], spanGaps: true, clip: false },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { top: 8, bottom: 4 } },
      scales: {
        y: { min: 1, max: 3, ticks: { stepSize: 1, callback: (value) => words[value] || "" } },
      },
      plugins: {
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${words[item.raw] || "not rated"}` } },
      },
    },
  });
})();
