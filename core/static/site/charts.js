// The progress charts: every <canvas data-chart="ID"> is drawn from the JSON in the element with
// that id (written by Django's json_script, so no inline script is needed under the site's CSP).
// Right to left on a Persian page, with Persian digits; the table beside each chart carries the
// same figures for screen readers and for printing, so the canvas itself is hidden from them.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof Chart === "undefined") return;
  var persian = (document.documentElement.lang || "").indexOf("fa") === 0;
  var rtl = document.documentElement.dir === "rtl";
  function digits(value) {
    var text = String(value);
    return persian ? text.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹".charAt(+d); }) : text;
  }
  var colours = {
    achieved: "#1b5e20", on_track: "#43a047", at_risk: "#f9a825", off_track: "#c62828",
    unreported: "#9e9e9e", target: "#1565c0", actual: "#e65100"
  };
  var font = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  Chart.defaults.locale = persian ? "fa-IR" : "en";
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var stacked = data.type === "stacked";
    var datasets = data.series.map(function (series) {
      var colour = colours[series.status] || "#555";
      return {
        label: series.label, data: series.values, backgroundColor: colour, borderColor: colour,
        spanGaps: false, tension: 0.2
      };
    });
    new Chart(canvas, {
      type: stacked ? "bar" : "line",
      data: { labels: data.labels.map(digits), datasets: datasets },
      options: {
        indexAxis: stacked ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: persian ? "fa-IR" : "en",
        plugins: {
          legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr", position: "bottom" },
          tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" }
        },
        scales: stacked
          ? { x: { stacked: true, reverse: rtl, ticks: { precision: 0 } }, y: { stacked: true, position: rtl ? "right" : "left" } }
          : { x: { reverse: rtl }, y: { position: rtl ? "right" : "left" } }  // numbers: Persian by the locale
      }
    });
    canvas.setAttribute("data-drawn", "1");
  });
});
