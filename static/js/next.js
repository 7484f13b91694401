/* Next step (issue 9, point 3): a finding's 「修正する」 link opens the section page at the item with
   ?edit=<kind>-<pk>; open that item's edit form (the row's own 編集 button) when the user may edit it. */
(function () {
  "use strict";
  function openRequestedForm() {
    var wanted = new URLSearchParams(window.location.search).get("edit");
    if (!wanted || !/^[a-z0-9-]+-[0-9]+$/.test(wanted)) { return; }
    var item = document.getElementById("item-" + wanted);
    if (!item) { return; }
    var button = item.querySelector("button[hx-get*='/draft/item/']");
    item.scrollIntoView();
    if (button) { button.click(); }
  }
  /* deferred scripts run before DOMContentLoaded: wait for it, after htmx (loaded first) has processed the page */
  if (document.readyState !== "complete") {
    document.addEventListener("DOMContentLoaded", openRequestedForm);
  } else {
    openRequestedForm();
  }
})();
