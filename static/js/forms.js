/* zoneeval: an error message goes away as soon as the user corrects its field.
   A field with an error sits in an element with the class has-error; its messages are in the element named by
   the field's aria-describedby (class field-errors / field-error). On input (or change) in such a field, remove
   the messages, the has-error class, the aria-describedby link to them and aria-invalid. The server checks the
   value again when the form is sent. No inline code (CSP). */
(function () {
  "use strict";

  function isError(el) {
    return el && (el.classList.contains("field-errors") || el.classList.contains("field-error"));
  }

  function clearError(field) {
    var container = field.closest(".has-error");
    var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (!container && field.getAttribute("aria-invalid") !== "true") {
      return;
    }
    var keep = [];
    described.forEach(function (id) {
      var el = document.getElementById(id);
      if (isError(el)) {
        el.remove();
      } else {
        keep.push(id);
      }
    });
    if (container) {
      container.querySelectorAll(".field-errors, .field-error").forEach(function (el) { el.remove(); });
      container.classList.remove("has-error");
      container.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    }
    field.removeAttribute("aria-invalid");
    // Every box of the container pointed at the removed messages (a group of checkboxes): unlink them all.
    var boxes = container ? container.querySelectorAll("input, select, textarea") : [field];
    Array.prototype.forEach.call(boxes, function (box) {
      var ids = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
        return id && document.getElementById(id) && !isError(document.getElementById(id));
      });
      if (ids.length) {
        box.setAttribute("aria-describedby", ids.join(" "));
      } else {
        box.removeAttribute("aria-describedby");
      }
    });
  }

  function onEdit(event) {
    var field = event.target;
    if (field && field.matches && field.matches("input, select, textarea")) {
      clearError(field);
    }
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
}());
