/* Every refusal is shown where the user acted, and what they typed stays.
 *
 * htmx swaps a response into the request's target. A refused form (422 invalid, 409 stale with the other person's
 * change) comes back as the same form with the message and the user's input: it is swapped like any answer. Other
 * refusals are marked by the server (header X-Refusal: no permission, a frozen edition, a stale delete): they must not
 * replace the form or the row, so they go into a message slot at the top of the form (or item) where the user acted.
 * A server error and a lost connection get a message in the same slot; nothing the user typed is touched.
 */
(function () {
  "use strict";

  var SERVER_ERROR = "サーバーでエラーが発生しました。入力した内容は画面に残っています。" +
    "しばらくしてからもう一度お試しください。続く場合は管理者に連絡してください。";
  var CONNECTION_LOST = "サーバーに接続できません（ネットワークが切れている可能性があります）。" +
    "入力した内容は画面に残っています。接続を確認してからもう一度お試しください。";

  function failed(detail) {
    var verb = (detail.requestConfig && detail.requestConfig.verb) || "post";
    return verb === "get" ? "読み込めませんでした：" : "保存できませんでした：";
  }

  function hostOf(elt) {
    if (!elt || !elt.closest) { return document.getElementById("request-refused"); }
    return elt.closest("form") || elt.closest(".item") || elt.closest("section") ||
      document.getElementById("request-refused");
  }

  function slotFor(elt) {
    var host = hostOf(elt);
    var slot = host.querySelector(":scope > .refusal-slot");
    if (!slot) {
      slot = document.createElement("div");
      slot.className = "refusal-slot";
      slot.setAttribute("role", "alert");
      slot.setAttribute("tabindex", "-1");
      host.insertBefore(slot, host.firstChild);
    }
    return slot;
  }

  function message(text) {
    var box = document.createElement("div");
    box.className = "refusal";
    var p = document.createElement("p");
    p.className = "refusal-reason";
    p.textContent = text;
    box.appendChild(p);
    return box;
  }

  function requester(detail) {
    return (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    var marked = xhr.getResponseHeader("X-Refusal");
    if (!marked && xhr.status < 500) { return; }
    var slot = slotFor(requester(evt.detail));
    evt.detail.target = slot;
    evt.detail.swapOverride = "innerHTML";
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
    if (!marked) { evt.detail.serverResponse = message(failed(evt.detail) + SERVER_ERROR).outerHTML; }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.classList && evt.detail.target.classList.contains("refusal-slot")) {
      evt.detail.target.focus();
    }
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var slot = slotFor(requester(evt.detail));
    slot.replaceChildren(message(failed(evt.detail) + CONNECTION_LOST));
    slot.focus();
  });

  // A new request from the same place clears its old message (the answer brings a new one if still refused).
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var host = hostOf(requester(evt.detail));
    var slot = host && host.querySelector(":scope > .refusal-slot");
    if (slot) { slot.replaceChildren(); }
  });
})();
