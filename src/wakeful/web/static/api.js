/* What the pages' scripts share to write through the desk API: JSON sent with the session's CSRF token (from the
   page's meta tag), and the API's error answer in words. Load it before the page's own script. */
"use strict";

var deskApi = (function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function send(url, data, method) {
    return fetch(url, {
      method: method || "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(data)
    });
  }

  function errorText(status, body) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map(function (d) {
        var field = (d.loc || []).slice(1).join(".");
        return field ? field + ": " + d.msg : d.msg;
      }).join("; ");
    }
    return "HTTP " + status;
  }

  return { send: send, errorText: errorText };
})();
