/* zoneeval — accessibility helpers (loaded with defer from base.html; no inline script under the CSP).
   - Focus: after HTMX swaps a form in (編集, 追加, a refused save), focus its first field (the first invalid one when
     the server refused the input); when a swap removed the focused element, focus the swapped-in content.
   - Confirmation: a form or button with data-confirm="…" asks before submitting (HTMX forms use hx-confirm).
   - Wide tables: every table.grid is wrapped in .table-scroll, which scrolls sideways inside its own box; while it
     does, it is a named, keyboard-focusable region (WCAG 2.1.1, 1.4.10). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var FIELD = "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled]), [contenteditable=true]";

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function firstField(root, selector) {
    var candidates = root.querySelectorAll(selector);
    for (var i = 0; i < candidates.length; i++) {
      if (visible(candidates[i])) return candidates[i];
    }
    return null;
  }

  function tableName(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = table;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        var heading = previous.querySelector && previous.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) return heading.textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "表";
  }

  function updateScrollRegion(wrapper) {
    var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
    if (scrolls) {
      wrapper.setAttribute("tabindex", "0");
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", wrapper.getAttribute("data-table-name") + "（横にスクロールできます）");
    } else {
      wrapper.removeAttribute("tabindex");
      wrapper.removeAttribute("role");
      wrapper.removeAttribute("aria-label");
    }
  }

  function wrapTables(root) {
    var tables = (root || document).querySelectorAll("table.grid");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-scroll")) continue;
      var wrapper = document.createElement("div");
      wrapper.className = "table-scroll";
      wrapper.setAttribute("data-table-name", tableName(table));
      parent.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    }
    updateAll();
  }

  function updateAll() {
    var wrappers = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < wrappers.length; i++) updateScrollRegion(wrappers[i]);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(updateAll, 100);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target || !target.isConnected) return;
    wrapTables(target);
    var config = event.detail.requestConfig || {};
    var trigger = config.elt;
    var polled = trigger && /\b(every|load)\b/.test(trigger.getAttribute("hx-trigger") || "");
    if (polled) return;  // presence and run status refresh themselves: never move the user's focus
    var field = firstField(target, ".has-error input, .has-error textarea, .has-error select") ||
                (target.querySelector("form") ? firstField(target, "form " + FIELD.split(", ").join(", form ")) : null);
    if (field) {
      field.focus();
      return;
    }
    var active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wrapTables(document); });
  } else {
    wrapTables(document);
  }
})();
