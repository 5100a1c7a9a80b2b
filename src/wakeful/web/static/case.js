/* Case actions: each form posts JSON to the desk API (the one write path), then reloads the page. */
"use strict";

(function () {
  function payload(action, form) {
    var data = new FormData(form);
    if (action === "assign") return { assignee: data.get("assignee") || null };
    if (action === "state") return { state: data.get("state") };
    if (action === "replies") {
      return { text: data.get("text"), resolve: data.get("resolve") === "true",
               legal_reviewed: data.get("legal_reviewed") === "true" };
    }
    if (action === "reveal" || action === "unmerge") return {};
    if (action === "merge") return { into: Number(data.get("into")) };
    if (action === "split") return { post_ids: data.getAll("post_ids") };
    return { text: data.get("text") };
  }

  // What an edited post said before, oldest first, under its current text (built as text: never parsed as HTML).
  function earlierVersions(earlier) {
    var box = document.createElement("details");
    box.className = "earlier-versions";
    box.open = true;
    var summary = document.createElement("summary");
    summary.textContent = "Earlier version" + (earlier.length === 1 ? "" : "s") + " (" + earlier.length + ")";
    box.appendChild(summary);
    earlier.forEach(function (version) {
      var p = document.createElement("p");
      p.className = "event-text muted";
      p.textContent = new Date(version.at).toISOString().slice(0, 16).replace("T", " ") + " UTC: " + version.text;
      box.appendChild(p);
    });
    return box;
  }

  // Suggested replies: drafts in the customer's language; "Use" puts one in the reply box to edit and send.
  function loadSuggestions() {
    var list = document.getElementById("suggestions");
    if (!list) return;
    fetch(list.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (items) {
        var rows = items.slice(0, 4).map(function (s, i) {
          var li = document.createElement("li");
          var text = document.createElement("p");
          text.className = "suggestion-text";
          text.textContent = s.text;
          var meta = document.createElement("span");
          meta.className = "muted small";
          var kind = s.source.split(":");
          meta.textContent = (kind[0] === "approved" ? "the brand's line, approved by " + s.approved_by
            : kind[0] === "template" ? "template" : "similar past reply from @" + kind.slice(1).join(":")) +
            (s.private_channel ? " · offers a private message" : "") + (s.note ? " · " + s.note : "");
          var use = document.createElement("button");
          use.type = "button";
          use.className = "button";
          use.textContent = "Use this";
          use.setAttribute("data-suggestion", String(i));
          use.addEventListener("click", function () {
            var box = document.getElementById("reply-text");
            box.value = s.text;
            box.focus();
          });
          li.append(text, meta, " ", use);
          return li;
        });
        if (!rows.length) {
          var none = document.createElement("li");
          none.textContent = "No suggestions for this case.";
          rows = [none];
        }
        list.replaceChildren.apply(list, rows);
      })
      .catch(function (err) {
        list.replaceChildren();
        var li = document.createElement("li");
        li.textContent = "Suggestions unavailable: " + err.message;
        list.append(li);
      });
  }

  function start() {
    loadSuggestions();
    var box = document.querySelector(".actions[data-case-id]");
    if (!box) return;
    var caseId = box.getAttribute("data-case-id");
    var status = document.getElementById("action-status");

    box.querySelectorAll("form[data-action]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var action = form.getAttribute("data-action");
        var button = form.querySelector("button[type=submit]");
        if (action === "split" && !payload(action, form).post_ids.length) {
          status.className = "action-status error";
          status.textContent = "Tick the customer's posts to split off in the timeline first.";
          return;
        }
        if (button) button.disabled = true;
        status.className = "action-status";
        status.textContent = "Saving…";
        deskApi.send("/api/v1/cases/" + encodeURIComponent(caseId) + "/" + action, payload(action, form))
        .then(function (r) {
          if (r.ok && action === "reveal") {
            return r.json().then(function (shown) {
              shown.forEach(function (post) {
                document.querySelectorAll("p.event-text[data-post-id]").forEach(function (p) {
                  if (p.getAttribute("data-post-id") !== post.post_id) return;
                  p.textContent = post.text;
                  if (post.earlier && post.earlier.length) p.after(earlierVersions(post.earlier));
                });
              });
              status.textContent = "Revealed; this was recorded on the case.";
              form.remove();
              return null;
            });
          }
          if (r.ok && action === "merge") {  // the merged case is the one to work on now
            return r.json().then(function (target) { window.location.assign("/cases/" + target.id); });
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
            throw new Error(deskApi.errorText(r.status, body));
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
