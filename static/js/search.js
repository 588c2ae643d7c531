/* Title autocomplete for search boxes marked data-suggest (no libraries), the ARIA 1.2 combobox
 * pattern: the input is role=combobox with aria-expanded/aria-controls/aria-activedescendant, the
 * suggestions a role=listbox of role=option. It asks GET /api/v1/search/suggest?q= as the user types
 * (debounced) and shows the titles in a dropdown laid over the page under the box (its wrapper is
 * position:relative; the list is absolute, so opening it never changes the layout).
 * Arrows move (and reopen), Enter opens the chosen title (or searches when none is chosen), Escape
 * closes. Titles are inserted as text, never HTML. With data-suggest-pick (see go) it fills a form
 * field instead of opening a page. */
(function () {
  "use strict";
  var DELAY = 150;

  function attach(input) {
    var url = input.getAttribute("data-suggest-url") || "/api/v1/search/suggest";
    var list = document.createElement("ul");
    var timer = null, seq = 0, items = [], active = -1;
    list.className = "suggest-list";
    list.id = (input.id || "q") + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    (input.parentNode || document.body).appendChild(list);

    function close() {
      list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function render() {
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = item.title;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); go(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.id + "-" + active);
        var el = document.getElementById(list.id + "-" + active);
        if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    // Pick mode (data-suggest-pick="ID"): choosing fills the box with the name and the hidden input ID
    // with the item's id (an organisation picker); typing again clears the id until a new pick.
    var pick = input.getAttribute("data-suggest-pick");
    var hidden = pick ? document.getElementById(pick) : null;
    function go(i) {
      var item = items[i];
      if (!item) return;
      if (hidden) { input.value = item.name || item.title; hidden.value = item.id; close(); return; }
      if (item.url) { window.location.href = item.url; }
    }
    function fetchSuggestions() {
      var q = input.value.trim();
      if (!q) { items = []; close(); return; }
      var mine = ++seq;
      fetch(url + (url.indexOf("?") < 0 ? "?q=" : "&q=") + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (mine !== seq) return;  // an older answer arriving late
          items = (data && data.items) || []; active = -1; render();
        })
        .catch(function () { items = []; close(); });
    }
    input.addEventListener("input", function () {
      if (hidden) hidden.value = "";
      clearTimeout(timer); timer = setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if ((e.key === "ArrowDown" || e.key === "ArrowUp") && items.length) {
          active = e.key === "ArrowDown" ? 0 : items.length - 1; render(); e.preventDefault();
        }
        return;
      }
      if (e.key === "ArrowDown") { active = active + 1 >= items.length ? 0 : active + 1; render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = active <= 0 ? items.length - 1 : active - 1; render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); go(active); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }  // the list only; the typed text stays
      else if (e.key === "Tab") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) {
      if (!inputs[i].hasAttribute("data-suggest-ready")) {
        inputs[i].setAttribute("data-suggest-ready", "");
        attach(inputs[i]);
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
