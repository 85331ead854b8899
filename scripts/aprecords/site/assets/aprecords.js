/* Small enhancements; every page works without them.
   - The print views' footer shows the date printed (their CSS falls back to the build date).
   - Wide tables that scroll in their own box can be reached and scrolled by keyboard, and are
     named for screen readers (WCAG 2.1.1, axe "scrollable-region-focusable"). */
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
  function dialog() {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }
  function ready() { stamp(); regions(); dialog(); }
  window.addEventListener("beforeprint", stamp);
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(ready);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
