/* Unit dashboard (planning/dashboard.html): draws the stacked bar of schools by type and stage and the doughnut of
   stages from the JSON the page embeds with json_script. Without JavaScript the table above shows the same numbers.
   Clicking a bar segment or a doughnut slice lists those schools (the same links as the table's cells). */
(function () {
  "use strict";

  var COLOURS = {
    no_cycle: "#b9c4d0",
    in_progress: "#e9b949",
    submitted: "#5b9bd5",
    accepted: "#2a9d8f",
    registered: "#7b6cd9",
    evaluated: "#4f8a3a",
    recognised: "#1e7a3c"
  };

  function filterUrl(params) {
    var query = new URLSearchParams(window.location.search);
    query.delete("trang");
    Object.keys(params).forEach(function (name) {
      if (params[name]) { query.set(name, params[name]); } else { query.delete(name); }
    });
    var text = query.toString();
    return window.location.pathname + (text ? "?" + text : "");
  }

  function markDrawn(canvas) {
    canvas.setAttribute("data-drawn", "1");
  }

  function draw() {
    var source = document.getElementById("dashboard-chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#1d2733";

    var bars = document.getElementById("chart-by-type");
    if (bars) {
      new Chart(bars, {
        type: "bar",
        data: {
          labels: data.types.map(function (t) { return t.label; }),
          datasets: data.stages.map(function (stage) {
            return { label: stage.label, data: stage.counts, backgroundColor: COLOURS[stage.key], stageKey: stage.key };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: { onComplete: function () { markDrawn(bars); } },
          scales: {
            x: { stacked: true, grid: { display: false } },
            y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Số trường" } }
          },
          plugins: {
            legend: { position: "bottom" },
            title: { display: true, text: "Số trường theo loại trường và giai đoạn" }
          },
          onClick: function (event, elements, chart) {
            if (!elements.length) { return; }
            var el = elements[0];
            window.location.href = filterUrl({
              loai: data.types[el.index].code,
              giai_doan: chart.data.datasets[el.datasetIndex].stageKey
            });
          }
        }
      });
      markDrawn(bars);
    }

    var ring = document.getElementById("chart-stages");
    if (ring) {
      new Chart(ring, {
        type: "doughnut",
        data: {
          labels: data.stages.map(function (s) { return s.label; }),
          datasets: [{
            data: data.stages.map(function (s) { return data.totals[s.key]; }),
            backgroundColor: data.stages.map(function (s) { return COLOURS[s.key]; })
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          plugins: {
            legend: { position: "bottom" },
            title: { display: true, text: "Tất cả trường theo giai đoạn" }
          },
          onClick: function (event, elements) {
            if (!elements.length) { return; }
            window.location.href = filterUrl({ giai_doan: data.stages[elements[0].index].key });
          }
        }
      });
      markDrawn(ring);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
