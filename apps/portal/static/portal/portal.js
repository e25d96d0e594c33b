// The portal's one script (a file: the Content-Security-Policy refuses inline scripts).
// On a narrow screen the search filters, which follow the results, start folded: the
// answer comes first and the filters are one tap away (issue 23). Wide screens keep
// them open beside the results.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 48rem)");
  function fold(root) {
    if (!narrow.matches || !root.querySelectorAll) return;
    root.querySelectorAll("details.facets[open]").forEach(function (details) {
      details.open = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fold(document); });
  document.addEventListener("htmx:afterSwap", function (event) { fold(event.target); });
})();
