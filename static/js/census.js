/* Draws the census dashboard's charts from the JSON block #census-data (no inline script: CSP-safe).
   The same numbers are in the tables next to each chart. */
(function () {
  "use strict";
  var block = document.getElementById("census-data");
  if (!block || typeof echarts === "undefined") { return; }
  var payload = JSON.parse(block.textContent);
  var data = payload.data, L = payload.labels;
  var pct = function (v) { return v === null || v === undefined ? 0 : Math.round(v * 10000) / 100; };

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: "axis" };
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function barsByKey(id, rows) {
    draw(id, {
      legend: {}, grid: { left: 50, right: 50, bottom: 60 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label || r.key; }), axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: L.utilisation + " %" }, { type: "value", name: L.orgs }],
      series: [
        { name: L.utilisation, type: "bar", data: rows.map(function (r) { return pct(r.utilisation); }) },
        { name: L.orgs, type: "bar", yAxisIndex: 1, data: rows.map(function (r) { return r.orgs_served; }) }
      ]
    });
  }

  barsByKey("chart-city", data.by_city);
  barsByKey("chart-type", data.by_type);
  draw("chart-month", {
    legend: {}, grid: { left: 60, right: 20 },
    xAxis: { type: "category", data: data.months.map(function (m) { return L.months[m.month - 1]; }) },
    yAxis: { type: "value", name: L.hours },
    series: [
      { name: L.used, type: "line", data: data.months.map(function (m) { return m.used_hours; }) },
      { name: L.external, type: "line", data: data.months.map(function (m) { return m.external_hours; }) }
    ]
  });
  var ranked = data.top.concat(data.bottom);
  draw("chart-top", {
    legend: {}, grid: { left: 180, right: 30 },
    xAxis: { type: "value", name: L.utilisation + " %" },
    yAxis: { type: "category", inverse: true, data: ranked.map(function (r) { return r.label || r.key; }) },
    series: [{ name: L.utilisation, type: "bar", data: ranked.map(function (r) { return pct(r.utilisation); }) }]
  });
})();
