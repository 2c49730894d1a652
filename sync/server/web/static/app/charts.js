// Draws each dashboard figure's 6-month trend with the vendored Chart.js, from the canvas's data attributes (no
// inline script: the Content-Security-Policy forbids it). The table beside each chart holds the same figures.
document.querySelectorAll("canvas.office-chart").forEach((canvas) => {
  const labels = JSON.parse(canvas.dataset.labels);
  const values = JSON.parse(canvas.dataset.values).map((v) => (v === "" ? null : v));
  new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets: [{ label: canvas.dataset.title, data: values, borderColor: "#1d70b8",
                                  backgroundColor: "#1d70b8", spanGaps: true }] },
    options: { animation: false, responsive: true, plugins: { legend: { display: false } },
               scales: { y: { beginAtZero: true } } },
  });
});
