/* Incident room: approve the holding statement through the API (leads and admins). */
"use strict";

(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("statement-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var meta = document.querySelector('meta[name="csrf-token"]');
      var status = document.getElementById("statement-status");
      fetch("/api/v1/incidents/" + encodeURIComponent(form.getAttribute("data-incident-id")) + "/statement", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": meta ? meta.getAttribute("content") : "" },
        body: JSON.stringify({ text: document.getElementById("statement-text").value })
      }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        window.location.reload();
      }).catch(function (err) {
        status.className = "action-status error";
        status.textContent = "Not approved: " + err.message;
      });
    });
  });
})();
