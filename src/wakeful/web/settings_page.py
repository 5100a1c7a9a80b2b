"""The settings page for leads: what each brand listens for, its fairness policy, SLA policies and the rota.

Like every page it reads through the desk services and writes only through the JSON API (static/settings.js).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse

from wakeful.analyze.topics import AIRLINE_TAXONOMY
from wakeful.api.auth import Role
from wakeful.api.connectors import list_connectors
from wakeful.api.deps import DbSession, DeskDep
from wakeful.api.settings import describe
from wakeful.desk import agents, brand_settings
from wakeful.desk.sla_targets import load_targets
from wakeful.web.views import PageUser, render

router = APIRouter(include_in_schema=False)

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LEVELS = ["low", "normal", "high", "urgent"]


def shift_text(shifts: list[agents.Shift]) -> str:
    """An agent's week as a lead reads it: runs of days with the same hours, 'Mon-Fri 09:00-17:00, Sat all day'."""
    runs: list[tuple[int, int, str]] = []
    for s in sorted(shifts, key=lambda s: (s.weekday, s.start)):
        hours = "all day" if s.start == s.end else f"{s.start}-{s.end}"
        if runs and runs[-1][1] == s.weekday - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], s.weekday, hours)
        else:
            runs.append((s.weekday, s.weekday, hours))
    return ", ".join(f"{WEEKDAYS[a]}{'-' + WEEKDAYS[b] if b != a else ''} {hours}" for a, b, hours in runs)


def _sla_rows(session: DbSession, desk: DeskDep, brand: str) -> list[dict[str, Any]]:
    """One row per priority level: the stored policy, or the desk default it falls back to (as the queue reads it)."""
    targets = load_targets(session, [brand], desk.settings)
    rows = []
    for level, name in enumerate(LEVELS):
        policy = targets.policy(brand, level)
        rows.append({"level": level, "name": name, "stored": (brand, level) in targets.stored, "policy": policy,
                     "escalate_pct": round(policy.escalate_fraction * 100)})
    return rows


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, who: PageUser, session: DbSession, desk: DeskDep) -> HTMLResponse:
    if not who.at_least(Role.LEAD):
        return render(request, "404.html", {"who": who, "what": "Settings (for leads)"},
                      status_code=status.HTTP_403_FORBIDDEN)
    now = desk.clock.now()
    brands = [b for b in brand_settings.brands_in_force(session, desk.file_settings)
              if who.brands is None or b.config.key in who.brands]
    pages = []
    for b in brands:
        staff = [agents.view(a, now) for a in agents.list_agents(session, [b.config.key])]
        pages.append({
            "saved": b,
            "policy": b.config.priority,
            "desk_policy": desk.settings.priority,
            "desk_quiet_hours": desk.settings.resolve_quiet_after_hours,
            "sla": _sla_rows(session, desk, b.config.key),
            "agents": [{"view": a, "shifts": shift_text(a.shifts)} for a in staff],
            "on_call": agents.on_call(session, b.config.key, now),
            "notify_own": b.config.key in desk.settings.notify.brands,
            "notify": describe(desk.settings.notify.for_brand(b.config.key)),
        })
    return render(request, "settings.html", {"who": who, "active_nav": "settings", "brands": pages,
                                             "default_topics": sorted(AIRLINE_TAXONOMY),
                                             "connectors": list_connectors(who, session, desk)})
