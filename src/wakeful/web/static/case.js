/* Case actions: each form posts JSON to the desk API (the one write path), then reloads the page. */
"use strict";

(function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function errorText(status, body) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map(function (d) { return d.msg; }).join("; ");
    }
    return "HTTP " + status;
  }

  function payload(action, form) {
    var data = new FormData(form);
    if (action === "assign") return { assignee: data.get("assignee") || null };
    if (action === "state") return { state: data.get("state") };
    if (action === "replies") return { text: data.get("text"), resolve: data.get("resolve") === "true" };
    if (action === "reveal") return {};
    return { text: data.get("text") };
  }

  function start() {
    var box = document.querySelector(".actions[data-case-id]");
    if (!box) return;
    var caseId = box.getAttribute("data-case-id");
    var status = document.getElementById("action-status");

    box.querySelectorAll("form[data-action]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var action = form.getAttribute("data-action");
        var button = form.querySelector("button[type=submit]");
        if (button) button.disabled = true;
        status.className = "action-status";
        status.textContent = "Saving…";
        fetch("/api/v1/cases/" + encodeURIComponent(caseId) + "/" + action, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() },
          body: JSON.stringify(payload(action, form))
        }).then(function (r) {
          if (r.ok && action === "reveal") {
            return r.json().then(function (shown) {
              shown.forEach(function (post) {
                document.querySelectorAll("p.event-text[data-post-id]").forEach(function (p) {
                  if (p.getAttribute("data-post-id") === post.post_id) p.textContent = post.text;
                });
              });
              status.textContent = "Personal data revealed; this was recorded on the case.";
              form.remove();
              return null;
            });
          }
          if (r.ok) {
            window.location.reload();
            return null;
          }
          if (r.status === 401) {
            window.location.assign("/login");
            return null;
          }
          return r.json().catch(function () { return null; }).then(function (body) {
            throw new Error(errorText(r.status, body));
          });
        }).catch(function (err) {
          status.className = "action-status error";
          status.textContent = "Not saved: " + err.message;
          if (button) button.disabled = false;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
