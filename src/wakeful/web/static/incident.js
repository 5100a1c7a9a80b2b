/* Incident room: approve the holding statement through the API (leads and admins). */
"use strict";

(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("statement-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("statement-status");
      deskApi.send("/api/v1/incidents/" + encodeURIComponent(form.getAttribute("data-incident-id")) + "/statement",
                   { text: document.getElementById("statement-text").value }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        window.location.reload();
      }).catch(function (err) {
        status.className = "action-status error";
        status.textContent = "Not approved: " + err.message;
      });
    });
  });
})();
