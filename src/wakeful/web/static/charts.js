/* Dashboard charts (Chart.js, vendored): data comes from JSON blocks the server embeds in the page. */
"use strict";

(function () {
  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try {
      return JSON.parse(el.textContent || "null");
    } catch (err) {
      return null;
    }
  }

  function hourLabel(iso) {
    var d = new Date(iso);
    return d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  var INK = "#1f2933";
  var GRID = "#d9dee4";
  var BAR = "#2f6fb3";
  var LINE = "#b3261e";

  function volumeChart() {
    var canvas = document.getElementById("volume-chart");
    var points = readJson("volume-data");
    if (!canvas || !points || !points.length || typeof Chart === "undefined") return;
    new Chart(canvas, {
      data: {
        labels: points.map(function (p) { return hourLabel(p.hour); }),
        datasets: [
          {
            type: "bar", label: "Posts per hour", yAxisID: "posts", backgroundColor: BAR,
            data: points.map(function (p) { return p.posts; })
          },
          {
            type: "line", label: "Negative share", yAxisID: "share", borderColor: LINE, backgroundColor: LINE,
            pointRadius: 2, tension: 0.2,
            data: points.map(function (p) { return Math.round(p.negative_share * 1000) / 10; })
          }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { color: INK } },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.yAxisID === "share" ? "Negative: " + ctx.parsed.y + "%" : "Posts: " + ctx.parsed.y;
              }
            }
          }
        },
        scales: {
          x: { ticks: { color: INK, maxRotation: 0, autoSkip: true, maxTicksLimit: 12 }, grid: { display: false } },
          posts: {
            type: "linear", position: "left", beginAtZero: true,
            title: { display: true, text: "Posts", color: INK },
            ticks: { color: INK, precision: 0 }, grid: { color: GRID }
          },
          share: {
            type: "linear", position: "right", min: 0, max: 100,
            title: { display: true, text: "Negative %", color: INK },
            ticks: { color: INK, callback: function (v) { return v + "%"; } }, grid: { drawOnChartArea: false }
          }
        }
      }
    });
  }

  var SERIES_COLOURS = ["#2f6fb3", "#b3261e", "#2e7d32", "#8a4baf", "#a15c00", "#00796b"];

  // The risk stage's forecast: a dashed line to +6 h and +24 h, over a shaded 90% band at +6 h.
  function forecastDatasets(f) {
    if (!f) return [];
    var t0 = Date.parse(f.t0), t6 = Date.parse(f.t6);
    var mid = [{ x: t0, y: f.y0 }, { x: t6, y: f.mid6 }];
    if (f.t24) mid.push({ x: Date.parse(f.t24), y: f.mid24 });
    return [
      { label: "Forecast, 90% band low", data: [{ x: t0, y: f.y0 }, { x: t6, y: f.low6 }], borderWidth: 0,
        pointRadius: 0, borderColor: "transparent", backgroundColor: "transparent" },
      { label: "Forecast 90% band", data: [{ x: t0, y: f.y0 }, { x: t6, y: f.high6 }], borderWidth: 0,
        pointRadius: 0, borderColor: "transparent", backgroundColor: "rgba(138, 75, 175, 0.18)", fill: "-1" },
      { label: "Forecast", data: mid, borderColor: "#8a4baf", backgroundColor: "#8a4baf", borderDash: [6, 4],
        pointRadius: 3 }
    ];
  }

  function engagementChart() {
    var canvas = document.getElementById("engagement-chart");
    var series = readJson("engagement-data") || [];
    var forecast = forecastDatasets(readJson("forecast-data"));
    if (!canvas || (!series.length && !forecast.length) || typeof Chart === "undefined") return;
    var datasets = series.map(function (s, i) {
      var colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
      return {
        label: s.label, borderColor: colour, backgroundColor: colour, pointRadius: 3, spanGaps: true,
        data: s.points.map(function (p) { return { x: Date.parse(p.t), y: p.impressions }; })
      };
    }).concat(forecast);
    // The axis spans the observations and the forecast, not a round number of milliseconds around them (which
    // started it an hour before the post).
    var xs = [];
    datasets.forEach(function (d) { d.data.forEach(function (p) { xs.push(p.x); }); });
    new Chart(canvas, {
      type: "line",
      data: { datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {
          legend: { labels: { color: INK, filter: function (item) { return item.text.indexOf("band low") === -1; } } },
          tooltip: { callbacks: { title: function (items) { return hourLabel(items[0].parsed.x); } } }
        },
        scales: {
          x: {
            type: "linear", min: Math.min.apply(null, xs), max: Math.max.apply(null, xs),
            ticks: { color: INK, maxTicksLimit: 8, callback: function (v) { return hourLabel(v); } },
            grid: { color: GRID }
          },
          y: {
            beginAtZero: true, title: { display: true, text: "Impressions", color: INK },
            ticks: { color: INK, precision: 0 }, grid: { color: GRID }
          }
        }
      }
    });
  }

  function axis(title, extra) {
    var a = { beginAtZero: true, title: { display: true, text: title, color: INK }, ticks: { color: INK },
              grid: { color: GRID } };
    for (var k in extra) a[k] = extra[k];
    return a;
  }

  function dailyCharts() {
    var rows = readJson("daily-data");
    if (!rows || !rows.length || typeof Chart === "undefined") return;
    var days = rows.map(function (r) { return r.day; });
    var volume = document.getElementById("daily-volume-chart");
    if (volume) {
      new Chart(volume, {
        data: { labels: days, datasets: [
          { type: "bar", label: "Posts", yAxisID: "n", backgroundColor: BAR, data: rows.map(function (r) { return r.posts; }) },
          { type: "line", label: "Negative %", yAxisID: "pct", borderColor: LINE, backgroundColor: LINE,
            data: rows.map(function (r) { return r.posts ? Math.round(1000 * r.negative / r.posts) / 10 : null; }) },
          { type: "line", label: "Positive %", yAxisID: "pct", borderColor: "#2e7d32", backgroundColor: "#2e7d32",
            data: rows.map(function (r) { return r.posts ? Math.round(1000 * r.positive / r.posts) / 10 : null; }) }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { labels: { color: INK } } },
          scales: { x: { ticks: { color: INK } }, n: axis("Posts", { position: "left", ticks: { color: INK, precision: 0 } }),
                    pct: axis("Share %", { position: "right", max: 100, grid: { drawOnChartArea: false } }) } }
      });
    }
    var response = document.getElementById("daily-response-chart");
    if (response) {
      new Chart(response, {
        data: { labels: days, datasets: [
          { type: "bar", label: "Median minutes", yAxisID: "min", backgroundColor: BAR,
            data: rows.map(function (r) { return r.first_response_median_min; }) },
          { type: "bar", label: "p90 minutes", yAxisID: "min", backgroundColor: "#8a4baf",
            data: rows.map(function (r) { return r.first_response_p90_min; }) },
          { type: "line", label: "SLA met %", yAxisID: "pct", borderColor: LINE, backgroundColor: LINE,
            data: rows.map(function (r) { return r.sla_met_share === null ? null : Math.round(r.sla_met_share * 1000) / 10; }) }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { labels: { color: INK } } },
          scales: { x: { ticks: { color: INK } }, min: axis("First response, minutes", { position: "left" }),
                    pct: axis("SLA met %", { position: "right", max: 100, grid: { drawOnChartArea: false } }) } }
      });
    }
  }

  function countChart(id, counts, label) {
    var canvas = document.getElementById(id);
    if (!canvas || !counts || typeof Chart === "undefined") return;
    var keys = Object.keys(counts);
    new Chart(canvas, {
      type: "bar",
      data: { labels: keys.map(function (k) { return k.replace(/_/g, " "); }),
              datasets: [{ label: label, backgroundColor: BAR, data: keys.map(function (k) { return counts[k]; }) }] },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        // every category named: Chart.js would otherwise skip every other label when they are tightly packed
        scales: { x: axis("Posts", { ticks: { color: INK, precision: 0 } }), y: { ticks: { color: INK, autoSkip: false } } } }
    });
  }

  function backlogChart() {
    var canvas = document.getElementById("backlog-chart");
    var points = readJson("backlog-data");
    if (!canvas || !points || !points.length || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return hourLabel(p.hour); }),
        datasets: [
          { label: "Open cases", borderColor: BAR, backgroundColor: BAR, pointRadius: 0,
            data: points.map(function (p) { return p.open; }) },
          { label: "Waiting for a first response", borderColor: LINE, backgroundColor: LINE, pointRadius: 0,
            data: points.map(function (p) { return p.unanswered; }) }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { color: INK } } },
        scales: { x: { ticks: { color: INK, maxTicksLimit: 12 } }, y: axis("Cases", { ticks: { color: INK, precision: 0 } }) } }
    });
  }

  function fairnessChart() {
    var canvas = document.getElementById("fairness-chart");
    var report = readJson("fairness-data");
    if (!canvas || !report || !report.by_band.length || typeof Chart === "undefined") return;
    var bands = report.by_band;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: bands.map(function (b) { return b.group + " followers"; }),
        datasets: [
          { label: "Median first response (min)", backgroundColor: BAR,
            data: bands.map(function (b) { return b.first_response_median_min; }) },
          { label: "p90 (min)", backgroundColor: LINE, data: bands.map(function (b) { return b.first_response_p90_min; }) }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { color: INK } } },
        scales: { x: { ticks: { color: INK } }, y: axis("Minutes", {}) } }
    });
  }

  function incidentChart() {
    var canvas = document.getElementById("incident-chart");
    var points = readJson("incident-data");
    if (!canvas || !points || !points.length || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return hourLabel(p.at); }),
        datasets: [
          { label: "Matching posts", borderColor: LINE, backgroundColor: LINE, data: points.map(function (p) { return p.matching; }) },
          { label: "All posts", borderColor: BAR, backgroundColor: BAR, data: points.map(function (p) { return p.posts; }) },
          { label: "Negative posts", borderColor: "#8a4baf", backgroundColor: "#8a4baf",
            data: points.map(function (p) { return p.negative; }) }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { color: INK } } },
        scales: { x: { ticks: { color: INK, maxTicksLimit: 10 } }, y: axis("Posts per 10 min", { ticks: { color: INK, precision: 0 } }) } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    incidentChart();
    volumeChart();
    engagementChart();
    dailyCharts();
    fairnessChart();
    backlogChart();
    var split = readJson("breakdown-data");
    if (split) {
      countChart("topic-chart", split.by_topic, "Posts by topic");
      countChart("lang-chart", split.by_language, "Posts by language");
    }
  });
})();
