/* Settings forms: each form is turned into the JSON its API endpoint takes (field names with dots nest, data-type
   says how to read a value) and sent with the session's CSRF token; the page reloads to show what is in force. */
"use strict";

(function () {
  function list(text) {
    return text.split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s.length; });
  }

  function read(input) {
    var type = input.getAttribute("data-type");
    if (input.type === "checkbox") return input.checked;
    var raw = input.value.trim();
    if (type === "list") return list(raw);
    if (type === "topics") {
      // one topic per line, "key: word, phrase"
      var topics = {};
      raw.split("\n").forEach(function (line) {
        var at = line.indexOf(":");
        if (at > 0) topics[line.slice(0, at).trim()] = list(line.slice(at + 1));
      });
      return topics;
    }
    if (type === "intlist") return list(raw).map(function (s) { return parseInt(s.replace(/[_\s]/g, ""), 10); });
    if (raw === "") return null;
    if (type === "int") return parseInt(raw, 10);
    if (type === "float") return parseFloat(raw);
    if (type === "percent") return parseFloat(raw) / 100;
    return raw;  // text, and shifts as the CLI's spec, which the API parses
  }

  function put(obj, path, value) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length - 1; i++) {
      obj[parts[i]] = obj[parts[i]] || {};
      obj = obj[parts[i]];
    }
    obj[parts[parts.length - 1]] = value;
  }

  function body(form) {
    var out = {};
    // form.elements includes inputs placed elsewhere with form="…" (the SLA table's cells)
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.tagName === "BUTTON" || input.tagName === "FIELDSET") return;
      var value = read(input);
      if (value !== null) put(out, input.name, value);
    });
    // The brand's fairness choice: the desk's default (no policy of its own), none (reach buys nothing), or a mode.
    if (form.getAttribute("data-kind") === "brand" && out.priority) {
      if (out.priority.reach_mode === "desk") out.priority = null;
      else if (out.priority.reach_mode === "none") {
        out.priority.reach_mode = "head_start";
        out.priority.reach_max_levels = 0;
      }
    }
    if (form.getAttribute("data-kind") === "agent" && out.shifts === undefined) out.shifts = [];
    return out;
  }

  function say(text, bad) {
    var status = document.getElementById("settings-status");
    status.textContent = text;
    status.className = bad ? "live error" : "live";
  }

  function submit(ev) {
    var form = ev.target;
    ev.preventDefault();
    var button = document.querySelector('button[type=submit][form="' + form.id + '"]') ||
                 form.querySelector("button[type=submit]");
    button.disabled = true;
    deskApi.send(form.getAttribute("data-api"), body(form), form.getAttribute("data-method")).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        if (!r.ok) throw new Error(deskApi.errorText(r.status, data));
        if (form.getAttribute("data-kind") === "notify-test") {
          // a test send changes nothing: say what each channel did and stay on the page
          var failed = data.filter(function (d) { return d.status !== "delivered"; });
          say(data.map(function (d) { return d.channel + ": " + d.status + (d.error ? " (" + d.error + ")" : ""); })
                .join("; "), failed.length > 0);
          button.disabled = false;
          return;
        }
        say("Saved.", false);
        window.location.reload();
      });
    }).catch(function (err) {
      say("Not saved: " + err.message, true);
      button.disabled = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.settings-form"), function (form) {
      form.addEventListener("submit", submit);
    });
  });
})();
