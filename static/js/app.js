// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Send the CSRF token with same-origin fetch() calls made by page scripts.
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.csrfToken = meta ? meta.getAttribute("content") : "";
})();
