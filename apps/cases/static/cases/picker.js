// The citation picker of the proposal forms (apps/cases/widgets.py): typing in the
// filter box hides the citations that do not match; ticked ones always stay in view.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var filter = picker.querySelector(".picker-filter");
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      picker.querySelectorAll(".picker-choices label").forEach(function (label) {
        var box = label.querySelector("input");
        var text = label.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        label.parentElement.hidden = !(match || (box && box.checked));
      });
    });
  });
});
