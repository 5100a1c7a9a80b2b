/* Incident room: approve the holding statement, then send it to the waiting customers, through the API (leads and admins). */
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

    var answer = document.getElementById("answer-form");
    if (!answer) return;
    answer.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = document.getElementById("answer-status");
      var lang = document.getElementById("answer-lang").value;
      deskApi.send("/api/v1/incidents/" + encodeURIComponent(answer.getAttribute("data-incident-id")) + "/answer",
                   lang ? { lang: lang } : {}).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (body) {
        status.className = "action-status";
        status.textContent = "Sent to " + body.answered.length + " waiting case" +
          (body.answered.length === 1 ? "" : "s") + ".";
      }).catch(function (err) {
        status.className = "action-status error";
        status.textContent = "Not sent: " + err.message;
      });
    });
  });
})();
