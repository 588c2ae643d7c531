// Small progressive enhancements; every page works without JavaScript. No inline script anywhere
// (the Content-Security-Policy forbids it): behaviour hangs on data-* attributes.
(function () {
  "use strict";
  // Send the CSRF token with same-origin fetch() calls made by page scripts.
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.csrfToken = meta ? meta.getAttribute("content") : "";

  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });
  // A refused form: bring its first field in error into view and focus it (the message at the top says
  // what happened; the field says what to change).
  var firstError = document.querySelector("main .has-error input, main .has-error select, main .has-error textarea");
  if (firstError && firstError.type !== "hidden") {
    if (firstError.scrollIntoView) firstError.scrollIntoView({ block: "center" });
    firstError.focus({ preventScroll: true });
  }
  // <select data-autosubmit>: submit its form when the choice changes.
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
      event.target.form.submit();
    }
  });
  // <a data-back>: go back in history.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-back]");
    if (link) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
