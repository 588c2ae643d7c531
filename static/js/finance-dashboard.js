/* Draws the finance dashboard's charts (budget used by month, by city, by grade) from the JSON block
   #finance-charts-data with the vendored ECharts (no inline script: CSP-safe). Amounts come in fen
   and are drawn in yuan; the same figures are in the tables below. */
(function () {
  "use strict";
  var block = document.getElementById("finance-charts-data");
  if (!block || typeof echarts === "undefined") { return; }
  var payload = JSON.parse(block.textContent);
  var data = payload.data, L = payload.labels;
  var yuan = function (fen) { return Math.round(fen) / 100; };
  var money = function (v) { return "¥" + Number(v).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }); };
  var narrow = window.matchMedia && window.matchMedia("(max-width: 480px)").matches;

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: "axis", valueFormatter: money };
    option.grid = option.grid || { left: 70, right: 20, bottom: narrow ? 70 : 50, top: 60 };
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  draw("chart-months", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.months.map(function (m) { return L.months[m.month - 1]; }),
             axisLabel: { rotate: narrow ? 45 : 0 } },
    yAxis: { type: "value", name: L.yuan },
    series: [
      { name: L.user, type: "bar", stack: "used", data: data.months.map(function (m) { return yuan(m.user); }) },
      { name: L.provider, type: "bar", stack: "used", data: data.months.map(function (m) { return yuan(m.provider); }) },
      { name: L.cumulative, type: "line", data: data.months.map(function (m) { return yuan(m.cumulative); }) }
    ]
  });
  draw("chart-city", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.by_city.map(function (c) { return c.city; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", name: L.yuan },
    series: [
      { name: L.committed, type: "bar", data: data.by_city.map(function (c) { return yuan(c.committed); }) },
      { name: L.reserved, type: "bar", data: data.by_city.map(function (c) { return yuan(c.reserved); }) }
    ]
  });
  draw("chart-grade", {
    legend: { top: 0 },
    xAxis: { type: "category", data: data.by_grade.map(function (g) { return g.label; }) },
    yAxis: { type: "value", name: L.yuan },
    series: [{ name: L.awarded, type: "bar", data: data.by_grade.map(function (g) { return yuan(g.awarded); }) }]
  });
})();
