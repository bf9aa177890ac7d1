// Filters rows by status or decision. The filter comes from the buttons or from the URL hash
// (`#filter=invalid`), so a link (or a headless browser test) can open a filtered view.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var known = buttons.map(function (b) { return b.getAttribute("data-filter"); });

  function apply(filter) {
    var shown = 0;
    rows.forEach(function (row) {
      var match = filter === "all" || row.getAttribute("data-status") === filter ||
        row.getAttribute("data-decision") === filter;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-filter") === filter));
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " packages shown";
    document.body.setAttribute("data-filter", filter);
  }

  function fromHash() {
    var m = /^#filter=([a-z]+)$/.exec(window.location.hash);
    return m && known.indexOf(m[1]) >= 0 ? m[1] : "all";
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      window.location.hash = "filter=" + b.getAttribute("data-filter");
    });
  });
  window.addEventListener("hashchange", function () { apply(fromHash()); });
  apply(fromHash());
})();
