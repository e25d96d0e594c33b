// The search pickers of the proposal forms (apps/cases/row_pickers.py). Typing in a
// picker's box asks the desk's lookup for a few matches; arrow keys move through them,
// Enter or a click picks one, Escape closes the list. A single relation's box then
// holds the picked row's key; a list of rows (citations) gains a ticked box for it.
// Without this script the box takes a key as typed, which the server resolves.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var WAIT_MS = 150;
  var MIN_CHARS = 2;

  document.querySelectorAll("[data-search-picker]").forEach(function (picker) {
    var box = picker.querySelector("input[role=combobox]");
    var list = picker.querySelector(".picker-matches");
    var multiple = picker.hasAttribute("data-multiple");
    var asked = 0;  // answers to older keystrokes are dropped
    var timer = null;
    var active = -1;

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      box.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }

    function pick(option) {
      var key = option.dataset.key;
      if (multiple) {
        var chosen = picker.querySelector(".picker-chosen");
        var already = Array.prototype.some.call(
          chosen.querySelectorAll("input[type=checkbox]"),
          function (tick) { return tick.value === key; }
        );
        if (!already) {
          var item = document.createElement("li");
          var label = document.createElement("label");
          var tick = document.createElement("input");
          tick.type = "checkbox";
          tick.name = box.name;
          tick.value = key;
          tick.checked = true;
          label.appendChild(tick);
          label.appendChild(document.createTextNode(" " + option.textContent));
          item.appendChild(label);
          chosen.appendChild(item);
        }
        box.value = "";
      } else {
        box.value = key;
        picker.querySelector(".picker-chosen").textContent = option.textContent;
      }
      close();
      box.focus();
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (result, i) {
        var option = document.createElement("li");
        option.id = box.id + "-match-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.key = result.key;
        option.textContent = result.label;  // the record's text, never markup
        // mousedown, not click: the box keeps its focus until the pick is made.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(option);
        });
        list.appendChild(option);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.textContent = "No match.";
        list.appendChild(none);
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var text = box.value.trim();
      if (text.length < MIN_CHARS) { close(); return; }
      var mine = ++asked;
      var url = picker.dataset.lookup + "?q=" + encodeURIComponent(text);
      fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (body) { if (mine === asked) { show(body.results); } })
        .catch(function () { if (mine === asked) { close(); } });
    }

    box.addEventListener("input", function () {
      // The row named beside the box is no longer what the box holds.
      if (!multiple) { picker.querySelector(".picker-chosen").textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { ask(); return; }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();  // a pick, not the form's submission
        pick(options()[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("blur", close);
  });
});
