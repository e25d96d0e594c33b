// The pickers of the proposal forms (apps/cases/widgets.py): typing in the filter
// box hides the choices that do not match; chosen ones always stay in view.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  function matches(words, text) {
    text = text.toLowerCase();
    return words.every(function (word) { return text.indexOf(word) !== -1; });
  }
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var filter = picker.querySelector(".picker-filter");
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      // Citations: one checkbox per label.
      picker.querySelectorAll(".picker-choices label").forEach(function (label) {
        var box = label.querySelector("input");
        label.parentElement.hidden = !(matches(words, label.textContent) || (box && box.checked));
      });
      // A related row: the options of its list.
      picker.querySelectorAll("select option").forEach(function (option) {
        option.hidden = !(option.selected || !option.value || matches(words, option.textContent));
      });
    });
  });
});
