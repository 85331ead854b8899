/* Small enhancements; every page works without them.
   - The print views' footer shows the date printed (their CSS falls back to the build date).
   - Wide tables that scroll in their own box can be reached and scrolled by keyboard, and are
     named for screen readers (WCAG 2.1.1, axe "scrollable-region-focusable").
   - Plain tables are stacked, one row a block, on a phone (see stack). */
(function () {
  "use strict";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function stamp() {
    if (!document.querySelector("[data-view]")) return;
    var d = new Date();
    var words = "Printed " + d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear();
    document.documentElement.style.setProperty("--printed", JSON.stringify(words));
  }
  function regions() {
    var boxes = document.querySelectorAll(".md-typeset__scrollwrap, .att-scroll");
    var seen = {};
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.hasAttribute("tabindex")) continue;
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = box.querySelector("caption");
      var heading = box.previousElementSibling;
      while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
      var name = caption ? caption.textContent : heading ? heading.textContent : "Table";
      name = name.trim().replace(/\s+/g, " ");
      seen[name] = (seen[name] || 0) + 1;
      if (seen[name] > 1) name += ", table " + seen[name];
      box.setAttribute("aria-label", name);
    }
  }
  /* Plain tables become stacked rows on a phone (CSS, under 45em): each cell is shown with
     its column's heading, taken from the header row here. Without this script they keep
     scrolling in their own box. Roles keep them tables for screen readers. */
  function stack() {
    var tables = document.querySelectorAll(".md-typeset table:not([class])");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.hasAttribute("data-stack")) continue;
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) continue;
      var names = [];
      for (var h = 0; h < heads.length; h++) {
        names.push(heads[h].textContent.trim());
        heads[h].setAttribute("role", "columnheader");
      }
      table.setAttribute("role", "table");
      var rows = table.querySelectorAll("tr");
      for (var r = 0; r < rows.length; r++) {
        rows[r].setAttribute("role", "row");
        var cells = rows[r].querySelectorAll("td");
        for (var c = 0; c < cells.length; c++) {
          cells[c].setAttribute("role", "cell");
          cells[c].setAttribute("data-label", names[c] || "");
        }
      }
      var groups = table.querySelectorAll("thead, tbody");
      for (var g = 0; g < groups.length; g++) groups[g].setAttribute("role", "rowgroup");
      table.setAttribute("data-stack", "");
    }
  }
  function dialog() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }
  function ready() { stack(); stamp(); regions(); dialog(); }
  window.addEventListener("beforeprint", stamp);
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(ready);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
