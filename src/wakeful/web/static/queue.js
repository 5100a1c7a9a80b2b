/* The live queue: every 5 s, re-read this page of cases from the JSON API and rebuild the table rows, and the
   "Cases 51 to 100 of 312" line and the Next link from the total the API sends in X-Total-Count.
   Rows are built with DOM APIs and textContent only; no data ever goes through innerHTML. */
"use strict";

(function () {
  var REFRESH_MS = 5000;
  var STATE_LABELS = {
    new: "New", open: "Open", waiting_on_customer: "Waiting on customer", resolved: "Resolved",
    merged: "Merged"
  };

  var duration = window.wakeful.duration;
  var QUIET_TITLE = "The desk resolves the case then if nothing happens on it; the customer's next post reopens it";

  function thousands(n) {
    return n === null || n === undefined ? "—" : n.toLocaleString("en-US");
  }

  /* As the server writes a time (views.when): "2026-12-08 14:05 UTC". */
  function utcMinute(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "—" : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function slaStatus(c) {
    if (c.sla_left_minutes === null || c.waiting_minutes === null) return "none";
    return window.wakeful.slaStatus(c.sla_left_minutes, c.sla_target_minutes);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function cell(label) {
    var td = el("td");
    td.setAttribute("data-label", label);
    return td;
  }

  function slaNode(c) {
    var status = slaStatus(c);
    if (status === "none") {
      var none = el("span", "sla sla-none", "not waiting");
      if (c.quiet_resolve_at) {
        var quiet = el("span", "sla-left sla-quiet", "resolves if quiet " + utcMinute(c.quiet_resolve_at));
        quiet.title = QUIET_TITLE;
        none.appendChild(quiet);
      }
      return none;
    }
    var span = el("span", "sla sla-" + status, "waiting " + duration(c.waiting_minutes) + " ");
    // sla-tick.js counts these down between refreshes
    span.setAttribute("data-waiting", String(c.waiting_minutes));
    span.setAttribute("data-left", String(c.sla_left_minutes));
    span.setAttribute("data-target", String(c.sla_target_minutes));
    var left = status === "breached" ? "breached by " + duration(c.sla_left_minutes)
                                     : duration(c.sla_left_minutes) + " left";
    span.appendChild(el("span", "sla-left", left));
    return span;
  }

  function row(c) {
    var tr = el("tr");
    tr.setAttribute("data-case-id", String(c.id));

    var td = cell("Case");
    var a = el("a", "case-link", "#" + c.id);
    a.href = "/cases/" + encodeURIComponent(c.id);
    td.appendChild(a);
    tr.appendChild(td);

    td = cell("Priority");
    td.appendChild(el("span", "badge prio-" + c.priority.name, c.priority.name));
    if (c.risk && c.risk.summary) {
      var words = el("span", "risk-words", "risk " + Math.round(c.risk.score) + ": " + c.risk.summary);
      words.title = words.textContent;  // the row shows the first lines; the whole summary on hover
      td.appendChild(words);
    }
    tr.appendChild(td);

    td = cell("SLA");
    td.appendChild(slaNode(c));
    tr.appendChild(td);

    td = cell("Author");
    td.appendChild(el("span", "handle", "@" + c.author.handle));
    td.appendChild(document.createTextNode(" "));
    td.appendChild(el("span", "muted followers", thousands(c.author.followers) + " followers"));
    tr.appendChild(td);

    td = cell("Lang");
    td.textContent = c.lang || "—";
    tr.appendChild(td);

    td = cell("Topics");
    td.textContent = c.topics && c.topics.length ? c.topics.join(", ") : "—";
    tr.appendChild(td);

    td = cell("State");
    td.appendChild(el("span", "state state-" + c.state, STATE_LABELS[c.state] || c.state));
    tr.appendChild(td);

    td = cell("Assignee");
    td.textContent = c.assignee || "—";
    tr.appendChild(td);

    td = cell("Latest post");
    td.className = "snippet";
    td.textContent = c.snippet;
    tr.appendChild(td);
    return tr;
  }

  function emptyRow(text) {
    var tr = el("tr", "empty");
    var td = el("td", null, text);
    td.colSpan = 9;
    tr.appendChild(td);
    return tr;
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) node.textContent = text;
  }

  function getResponse(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 401) {
        window.location.assign("/login");
        throw new Error("signed out");
      }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r;
    });
  }

  function getJson(url) {
    return getResponse(url).then(function (r) { return r.json(); });
  }

  // One page of cases and how many match in all (the API's X-Total-Count header).
  function getPage(url) {
    return getResponse(url).then(function (r) {
      var total = parseInt(r.headers.get("X-Total-Count"), 10);
      return r.json().then(function (cases) { return { cases: cases, total: total }; });
    });
  }

  // The pager's words after a refresh, as the server wrote them (web/views.py _range_text).
  function updatePager(offset, limit, shown, total) {
    if (isNaN(total)) return;
    setText("queue-range", shown ? "Cases " + (offset + 1) + " to " + (offset + shown) + " of " +
                                   total.toLocaleString("en-US") : "");
    setText("queue-page", "Page " + (Math.floor(offset / limit) + 1) + " of " + Math.max(1, Math.ceil(total / limit)));
    var next = document.getElementById("queue-next");
    if (next) next.hidden = offset + shown >= total;
  }

  // j/k move through the queue, o opens, a assigns the case to me, r opens it at the reply box.
  function keyboard(body) {
    var selected = null;
    function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-case-id]")); }
    function select(tr) {
      if (selected) selected.classList.remove("selected");
      selected = tr;
      if (tr) {
        tr.classList.add("selected");
        tr.scrollIntoView({ block: "nearest" });
      }
    }
    function current() {
      // rows are rebuilt on refresh: find the same case again
      if (!selected) return null;
      var id = selected.getAttribute("data-case-id");
      var again = body.querySelector('tr[data-case-id="' + id + '"]');
      if (again && again !== selected) select(again);
      return again;
    }
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
      var all = rows();
      var tr = current();
      var i = tr ? all.indexOf(tr) : -1;
      if (ev.key === "j") select(all[Math.min(all.length - 1, i + 1)] || null);
      else if (ev.key === "k") select(all[Math.max(0, i - 1)] || null);
      else if (tr && (ev.key === "o" || ev.key === "Enter")) window.location.assign("/cases/" + tr.getAttribute("data-case-id"));
      else if (tr && ev.key === "r") window.location.assign("/cases/" + tr.getAttribute("data-case-id") + "#reply-text");
      else if (tr && ev.key === "a") {
        var me = document.body.getAttribute("data-me");
        deskApi.send("/api/v1/cases/" + tr.getAttribute("data-case-id") + "/assign", { assignee: me })
          .then(function () { setText("queue-status", "Assigned to you"); });
      } else return;
      ev.preventDefault();
    });
  }

  function start() {
    var table = document.getElementById("queue");
    var body = document.getElementById("queue-rows");
    if (!table || !body) return;
    var src = table.getAttribute("data-src");
    var countsSrc = table.getAttribute("data-counts-src");
    var filtered = table.getAttribute("data-filtered") === "true";
    var params = new URL(src, window.location.href).searchParams;
    var offset = parseInt(params.get("offset") || "0", 10);
    var limit = parseInt(params.get("limit") || "50", 10);
    var busy = false;

    function updateCounts(counts) {
      setText("count-waiting", String(counts.waiting));
      setText("count-open", String(counts.active));
      setText("count-on-customer", (counts.active - counts.waiting) + " waiting on the customer");
      setText("count-breached", String(counts.breached));
      setText("count-unassigned", String(counts.unassigned));
    }

    var pending = false;

    function refresh() {
      if (document.hidden) return;
      if (busy) { pending = true; return; }
      busy = true;
      pending = false;
      var rowsP = getPage(src);
      var countsP = getJson(countsSrc);
      Promise.all([rowsP, countsP]).then(function (res) {
        var cases = res[0].cases;
        var none = offset > 0 ? "No cases left on this page: go back a page."
                              : filtered ? "No active cases match these filters." : "No active cases.";
        var rows = cases.length ? cases.map(row) : [emptyRow(none)];
        body.replaceChildren.apply(body, rows);
        updatePager(offset, limit, cases.length, res[0].total);
        updateCounts(res[1]);
        setText("queue-status", "Live · updated " + new Date().toLocaleTimeString());
      }).catch(function (err) {
        setText("queue-status", "Live updates paused: " + err.message);
      }).then(function () {
        busy = false;
        if (pending) refresh();
      });
    }

    body.addEventListener("click", function (ev) {
      var target = ev.target;
      if (target.closest("a")) return;
      var tr = target.closest("tr[data-case-id]");
      if (tr && !window.getSelection().toString()) {
        window.location.assign("/cases/" + encodeURIComponent(tr.getAttribute("data-case-id")));
      }
    });
    keyboard(body);
    window.setInterval(refresh, REFRESH_MS);
    if (window.EventSource) {
      // The server says when the queue changed; polling stays as the fallback.
      new window.EventSource("/api/v1/cases/changes").addEventListener("changed", refresh);
    }
    document.addEventListener("visibilitychange", refresh);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
