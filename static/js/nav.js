/* The header menu.
 * - [data-menu-toggle] (phones): opens and closes the header's menus. Without JavaScript the toggle is a
 *   link to #site-menu and CSS opens the menu with :target.
 * - [data-overflow-nav] (desktop): keeps the menu on one line; links that do not fit move, last first,
 *   into its "more" dropdown (a <details>), and come back when the window widens. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = document.querySelector("[data-menu-toggle]");
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 760px)") : { matches: false };

  function setOpen(open) {
    if (!header || !toggle) return;
    header.classList.toggle("menu-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (toggle) {
    toggle.addEventListener("click", function (e) {
      e.preventDefault();
      setOpen(!header.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && header.classList.contains("menu-open")) { setOpen(false); toggle.focus(); }
    });
  }

  var nav = document.querySelector("[data-overflow-nav]");
  var more = nav && nav.querySelector(".nav-more");
  var menu = more && more.querySelector(".nav-more-menu");

  function wraps() {
    var first = nav.firstElementChild, items = nav.children, top = first.offsetTop;
    for (var i = items.length - 1; i >= 0; i--) {
      if (!items[i].hidden && items[i].offsetParent !== null) return items[i].offsetTop > top + 4;
    }
    return false;
  }
  function fit() {
    if (!more) return;
    // everything back on the bar, in order
    while (menu.firstElementChild) nav.insertBefore(menu.firstElementChild, more);
    more.hidden = true;
    more.open = false;
    if (PHONE.matches || nav.offsetParent === null) return;  // phones list every link in the open menu
    var links = nav.querySelectorAll(":scope > [data-nav-link]");
    var n = links.length;
    if (!wraps()) return;
    more.hidden = false;
    while (n > 0 && wraps()) {
      n--;
      menu.insertBefore(links[n], menu.firstElementChild);
    }
  }
  if (more) {
    fit();
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(fit, 100); });
    if (PHONE.addEventListener) PHONE.addEventListener("change", fit);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(fit);
    document.addEventListener("click", function (e) {
      if (more.open && !more.contains(e.target)) more.open = false;
    });
    more.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && more.open) { more.open = false; more.querySelector("summary").focus(); }
    });
  }
})();
