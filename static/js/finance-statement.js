/* Finance's organisation chooser on the statement page: as the name is typed, the <datalist> is
   filled from the JSON endpoint named by its data-source (no inline script: CSP-safe). */
(function () {
  "use strict";
  var list = document.getElementById("org-options");
  var input = document.querySelector('input[list="org-options"]');
  if (!list || !input || !window.fetch) { return; }
  var timer = null, last = null;

  function fill(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.name;
      option.textContent = item.city ? item.name + " · " + item.city : item.name;
      list.appendChild(option);
    });
  }

  function suggest() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (!q) { fill([]); return; }
    fetch(list.getAttribute("data-source") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
      .then(function (data) { if (input.value.trim() === q) { fill(data.items || []); } })
      .catch(function () { /* suggestions are a convenience: typing the full name still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
})();
