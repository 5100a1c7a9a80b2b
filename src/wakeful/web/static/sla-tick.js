/* SLA countdowns that tick between refreshes: every second each SLA badge is recomputed from the minutes it was
   rendered with, at the desk clock's pace (a replay's clock runs faster; a test's fixed clock stands still), and
   turns amber under a quarter of its target and red once breached. Shared helpers live on window.wakeful. */
"use strict";

(function () {
  var WARN_SHARE = 0.25;

  function duration(minutes, withSeconds) {
    if (minutes === null || minutes === undefined || isNaN(minutes)) return "—";
    var abs = Math.abs(minutes);
    var m = Math.floor(abs);
    if (m < 60) {
      if (!withSeconds) return m + " min";
      var s = Math.floor((abs - m) * 60);
      return m + " min " + (s < 10 ? "0" : "") + s + " s";
    }
    var h = Math.floor(m / 60);
    m = m % 60;
    if (h < 24) return m ? h + " h " + m + " min" : h + " h";
    var d = Math.floor(h / 24);
    h = h % 24;
    return h ? d + " d " + h + " h" : d + " d";
  }

  function slaStatus(left, target) {
    if (left < 0) return "breached";
    return left < WARN_SHARE * target ? "warn" : "ok";
  }

  function speed() {
    var v = parseFloat(document.body.getAttribute("data-clock-speed"));
    return isNaN(v) ? 1 : v;
  }

  function tick() {
    var now = Date.now();
    var pace = speed();
    var badges = document.querySelectorAll(".sla[data-left]");
    for (var i = 0; i < badges.length; i++) {
      var b = badges[i];
      if (!b.hasAttribute("data-seen")) b.setAttribute("data-seen", String(now));
      var left0 = parseFloat(b.getAttribute("data-left"));
      var waiting0 = parseFloat(b.getAttribute("data-waiting"));
      var target = parseFloat(b.getAttribute("data-target"));
      if (isNaN(left0) || isNaN(waiting0)) continue;
      var gone = (now - parseFloat(b.getAttribute("data-seen"))) / 60000 * pace;
      var left = left0 - gone;
      var status = slaStatus(left, target);
      b.className = "sla sla-" + status;
      b.firstChild.textContent = "waiting " + duration(waiting0 + gone, false) + " ";
      var leftNode = b.querySelector(".sla-left");
      if (leftNode) {
        leftNode.textContent = status === "breached" ? "breached by " + duration(left, true)
                                                     : duration(left, true) + " left";
      }
    }
  }

  window.wakeful = { duration: duration, slaStatus: slaStatus };
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
