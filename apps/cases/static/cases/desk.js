// The desk's one script for every admin page (a file: the Content-Security-Policy
// refuses inline scripts).
(function () {
  "use strict";
  // Django's two-box picker (SelectFilter2.js) draws a help icon as a <span> with an
  // aria-label, a name a span without a role may not carry: give it the role of an
  // image, which the label then names. It draws on the window's load; this runs after.
  // Django's autocomplete (select2, for the admin's relation fields at scale) draws a
  // search box with no name, and puts its "remove all" cross as a <span> straight
  // inside the list of chosen rows, where only list items may stand. Each time it
  // redraws: name the box after its field's label, and wrap the cross in an item.
  function mendSelect2(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      box.setAttribute("aria-label", label ? label.textContent.replace(/:\s*$/, "").trim() : "Search");
    });
    root.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach(function (stray) {
      var item = document.createElement("li");
      stray.parentNode.insertBefore(item, stray);
      item.appendChild(stray);
    });
  }
  if (window.MutationObserver) {
    new MutationObserver(function () { mendSelect2(document); })
      .observe(document.documentElement, { childList: true, subtree: true });
  }
  document.addEventListener("DOMContentLoaded", function () { mendSelect2(document); });
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
        icon.setAttribute("role", "img");
      });
    }, 0);
  });
})();
