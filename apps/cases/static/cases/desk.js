// The desk's one script for every admin page (a file: the Content-Security-Policy
// refuses inline scripts).
(function () {
  "use strict";
  // Django's two-box picker (SelectFilter2.js) draws a help icon as a <span> with an
  // aria-label, a name a span without a role may not carry: give it the role of an
  // image, which the label then names. It draws on the window's load; this runs after.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
        icon.setAttribute("role", "img");
      });
    }, 0);
  });
})();
