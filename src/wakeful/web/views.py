"""Dashboard pages: the live queue, a case's timeline, incidents, reports (signing in is in `signin`).

Pages read through the same desk services as the JSON API and write only through that API (from small static
scripts), so there is one write path. People sign in with a username and password; the session lives in an
HttpOnly, SameSite=Strict cookie that the API also accepts, and every write from a page carries the session's CSRF
token (from the page's meta tag) in the X-CSRF-Token header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from wakeful.analyze.pii import PII_LABELS
from wakeful.analyze.topics import AIRLINE_TAXONOMY
from wakeful.api.auth import Principal, Role, session_principal
from wakeful.api.deps import COOKIE, MAX_ROW_ID, DbSession, DeskDep
from wakeful.api.incidents import languages as incident_languages
from wakeful.api.incidents import room as incident_room_data
from wakeful.api.reports import MAX_BACKLOG
from wakeful.core.clock import as_utc, clock_speed
from wakeful.desk import incidents, service
from wakeful.desk.cases import CaseState
from wakeful.desk.fairness import TWO_TIER_RATIO
from wakeful.desk.report_page import page_figures
from wakeful.desk.reports import day_bounds, volume_by_hour
from wakeful.desk.schemas import CaseDetail, CaseSummary

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

QUEUE_PAGE = 50
"""Rows of the queue table per page: what an agent works down, with links to the rest. The page once showed the top
200 (of the demo's 640, thousands at a busy desk) and no way to the others, and re-read all 200 every 5 seconds."""
QUEUE_MAX_PAGE = 200
"""The most rows a page may ask for with `per_page`."""
VOLUME_HOURS = 72
"""Hours of the volume chart, up to now."""
SLA_WARN_SHARE = 0.25
"""Time left below this share of the first-response target shows amber."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

STATE_LABELS = {
    CaseState.NEW.value: "New",
    CaseState.OPEN.value: "Open",
    CaseState.WAITING.value: "Waiting on customer",
    CaseState.RESOLVED.value: "Resolved",
    CaseState.MERGED.value: "Merged",
}

SlaStatus = Literal["none", "ok", "warn", "breached"]

router = APIRouter(include_in_schema=False)


# --- formatting, shared with the templates --------------------------------------------------------------------


def duration(minutes: float | None) -> str:
    """A span of minutes as an agent reads it: '42 min', '3 h 5 min', '2 d 4 h' (sign dropped)."""
    if minutes is None:
        return "—"
    m = int(abs(minutes))
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def thousands(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def when(value: datetime | None) -> str:
    """A timestamp in UTC, minute precision."""
    return "—" if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def state_label(state: str) -> str:
    return STATE_LABELS.get(str(state), str(state))


def sla_status(case: CaseSummary) -> SlaStatus:
    """'none' when nobody is waiting on us, else ok / warn (under a quarter of the target left) / breached."""
    left = case.sla_left_minutes
    if left is None or case.waiting_minutes is None:
        return "none"
    if left < 0:
        return "breached"
    return "warn" if left < SLA_WARN_SHARE * case.sla_target_minutes else "ok"


def pii_label(kind: str) -> str:
    """A kind of personal data as an agent reads it: 'booking-ref' -> 'booking reference'."""
    return PII_LABELS.get(kind, kind)


def safe_url(url: str | None) -> str | None:
    """A link target only for http(s) URLs, so a post's URL can never be a `javascript:` link."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.filters.update(duration=duration, thousands=thousands, when=when, state_label=state_label,
                             safe_url=safe_url, pii_label=pii_label)
templates.env.globals.update(sla_status=sla_status, STATE_LABELS=STATE_LABELS, Role=Role)


def render(request: Request, name: str, context: Mapping[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page with the security headers every dashboard page carries, and the desk clock's pace for countdowns."""
    desk = getattr(request.app.state, "desk", None)
    page = {"clock_speed": clock_speed(desk.clock) if desk is not None else 1.0, **context}
    return templates.TemplateResponse(request, name, page, status_code=status_code, headers=SECURITY_HEADERS)


def invalid_address(request: Request, who: Principal, errors: Sequence[Any]) -> HTMLResponse:
    """A page asked for with a query it cannot take (`?page=0`, a customer search past 128 characters): the
    reasons in words, with the way back, rather than the API's JSON."""
    reasons = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'the address'}: {e.get('msg', 'not valid')}"
               for e in errors]
    return render(request, "invalid.html", {"who": who, "reasons": reasons}, status_code=422)


# --- who is looking -------------------------------------------------------------------------------------------


def _login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else "/login?" + urlencode({"next": here})


def page_user(request: Request, desk: DeskDep) -> Principal:
    """The signed-in user from the session cookie, or a 303 to the sign-in page."""
    with desk.db.session() as session:
        who = session_principal(session, request.cookies.get(COOKIE, ""), desk.clock.now())
    if who is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first", headers={"Location": _login_url(request)})
    request.state.principal = who  # let in: an error answered later need not check the caller again
    return who


PageUser = Annotated[Principal, Depends(page_user)]


# --- the queue ------------------------------------------------------------------------------------------------


def _languages(settings_langs: Iterable[str], cases: Iterable[CaseSummary]) -> list[str]:
    return sorted(set(settings_langs) | {c.lang for c in cases if c.lang})


def _range_text(offset: int, shown: int, matched: int) -> str:
    """'Cases 51 to 100 of 312', as queue.js writes it again after each live refresh."""
    return f"Cases {offset + 1} to {offset + shown} of {matched:,}" if shown else ""


@router.get("/", response_class=HTMLResponse)
def queue(request: Request, who: PageUser, session: DbSession, desk: DeskDep, mine: bool = False,
          unassigned: bool = False, lang: str | None = None, topic: str | None = None,
          customer: Annotated[str | None, Query(max_length=128)] = None, breached: bool = False,
          page: Annotated[int, Query(ge=1)] = 1,
          per_page: Annotated[int, Query(ge=1, le=QUEUE_MAX_PAGE)] = QUEUE_PAGE) -> HTMLResponse:
    """The live queue: a page of active cases, highest priority first, with counts and the hourly volume chart.

    A page past the last (the queue shrank since its link was made) shows the last page."""
    now = desk.clock.now()
    lang = (lang or "").strip().lower() or None
    topic = (topic or "").strip() or None
    customer = (customer or "").strip() or None
    filters = {"mine": "true" if mine else None, "unassigned": "true" if unassigned else None, "lang": lang,
               "topic": topic, "customer": customer, "breached": "true" if breached else None}
    kept = {k: v for k, v in filters.items() if v} | ({"per_page": per_page} if per_page != QUEUE_PAGE else {})
    wanted = service.QueueFilters(assignee=who.name if mine else None, unassigned=unassigned, lang=lang, topic=topic,
                                  breached=breached, customer=customer)
    shown, counts = service.queue_slice(session, who.brands, now, desk.settings, wanted,
                                        offset=(page - 1) * per_page, limit=per_page, clamp=True)
    cases, page = shown.cases, shown.offset // per_page + 1
    query = urlencode({k: v for k, v in filters.items() if v} | {"offset": shown.offset, "limit": per_page})
    resolved, resolved_total = (service.resolved_matches(session, who.brands, wanted) if customer
                                else ([], 0))
    volume = volume_by_hour(session, who.brands, since=now - timedelta(hours=VOLUME_HOURS))
    brand_langs = [lg for b in desk.settings.brands if who.brands is None or b.key in who.brands
                   for lg in b.languages]
    return render(request, "queue.html", {
        "who": who,
        "active_nav": "queue",
        "cases": cases,
        "counts": counts,
        "pager": {"page": page, "pages": max(1, -(-shown.matched // per_page)), "per_page": per_page,
                  "custom_size": per_page != QUEUE_PAGE,
                  "range": _range_text(shown.offset, len(cases), shown.matched), "more": shown.has_more,
                  "prev": "/?" + urlencode(kept | {"page": page - 1}) if page > 1 else None,
                  "next": "/?" + urlencode(kept | {"page": page + 1})},
        "open_incidents": incidents.list_incidents(session, who.brands, open_only=True),
        "resolved": {"cases": resolved, "more": resolved_total - len(resolved)},
        "filters": {"mine": mine, "unassigned": unassigned, "lang": lang, "topic": topic, "customer": customer,
                    "breached": breached},
        "filtered": any(filters.values()),  # the empty queue's words, here and in queue.js's refresh
        "topics": sorted(set(AIRLINE_TAXONOMY) | {t for c in cases for t in c.topics}
                         | {t for b in desk.settings.brands if who.brands is None or b.key in who.brands
                            for t in b.topics}),
        "languages": _languages(brand_langs, cases),
        "api_cases": f"/api/v1/cases?{query}",
        "api_counts": "/api/v1/stats/queue",
        "volume": [p.model_dump(mode="json") for p in volume],
        "now": now,
    })


# --- a case ---------------------------------------------------------------------------------------------------


def engagement_series(detail: CaseDetail) -> list[dict[str, Any]]:
    """Reach curves of the case's posts observed more than once, for the impressions chart."""
    series = []
    for item in detail.timeline:
        if item.kind != "post" or len(item.engagement) < 2:
            continue
        series.append({
            "label": f"{item.actor} {when(item.at)}",
            "points": [{"t": e.observed_at.isoformat(), "at": when(e.observed_at), "impressions": e.impressions,
                        "interactions": e.likes + e.reposts + e.replies + e.quotes} for e in item.engagement],
        })
    return series


def forecast_band(detail: CaseDetail) -> dict[str, Any] | None:
    """The risk stage's impressions forecast for the case's loudest post, drawn from its latest observation on
    (also when each post was seen once, so has no curve of its own yet)."""
    risk = detail.risk
    if risk is None or risk.forecast_6h is None:
        return None
    latest = [item.engagement[-1].impressions for item in detail.timeline
              if item.kind == "post" and item.engagement and item.engagement[-1].impressions is not None]
    at = risk.computed_at
    return {
        "t0": at.isoformat(), "y0": max(latest, default=0),
        "t6": (at + timedelta(hours=6)).isoformat(), "mid6": risk.forecast_6h,
        "low6": risk.forecast_6h_low if risk.forecast_6h_low is not None else risk.forecast_6h,
        "high6": risk.forecast_6h_high if risk.forecast_6h_high is not None else risk.forecast_6h,
        "t24": (at + timedelta(hours=24)).isoformat() if risk.forecast_24h is not None else None,
        "mid24": risk.forecast_24h,
    }


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, who: PageUser, session: DbSession, desk: DeskDep) -> HTMLResponse:
    """One case: header, timeline, reach curves, earlier cases, and the agent's actions."""
    try:
        if not 1 <= case_id <= MAX_ROW_ID:  # a typed-in id no row can have is not found, not a database error
            raise service.CaseNotFound(case_id)
        detail = service.case_detail(session, case_id, who.brands, desk.clock.now(), desk.settings)
    except service.CaseNotFound:
        return render(request, "404.html", {"who": who, "what": f"Case {case_id}"},
                      status_code=status.HTTP_404_NOT_FOUND)
    return render(request, "case.html", {
        "who": who,
        "case": detail,
        "engagement": engagement_series(detail),
        "forecast": forecast_band(detail),
        "states": [s for s in CaseState if s is not CaseState.MERGED],  # merging names a case: its own form
    })


# --- incidents ------------------------------------------------------------------------------------------------


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, who: PageUser, session: DbSession) -> HTMLResponse:
    return render(request, "incidents.html", {
        "who": who, "active_nav": "incidents", "incidents": incidents.list_incidents(session, who.brands)})


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_room(incident_id: int, request: Request, who: PageUser, session: DbSession,
                  desk: DeskDep) -> HTMLResponse:
    """The incident room: driving posts, curve, terms and flights, and the holding statement to approve."""
    try:
        if not 1 <= incident_id <= MAX_ROW_ID:
            raise incidents.IncidentNotFound(incident_id)
        row = incidents.load(session, incident_id, who.brands)
    except incidents.IncidentNotFound:
        return render(request, "404.html", {"who": who, "what": f"Incident {incident_id}"},
                      status_code=status.HTTP_404_NOT_FOUND)
    room = incident_room_data(session, row, desk.settings)
    return render(request, "incident.html", {
        "who": who, "active_nav": "incidents", "incident": room,
        "series": [p.model_dump(mode="json") for p in room.series],
        "can_approve": who.at_least(Role.LEAD), "languages": incident_languages(desk.settings, row.brand),
    })


# --- reports --------------------------------------------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, who: PageUser, session: DbSession, desk: DeskDep, since: str | None = None,
                 until: str | None = None) -> HTMLResponse:
    """The morning report for a date range: charts of the daily figures and breakdowns, each as CSV too."""
    zone = desk.settings.report_zone
    today = desk.clock.now().astimezone(zone).date()
    try:
        first = date.fromisoformat(since) if since else today - timedelta(days=6)
        last = date.fromisoformat(until) if until else today
    except ValueError:
        first, last = today - timedelta(days=6), today
    if last < first:
        first, last = last, first
    # kept off the calendar's edges (0001-01-01, 9999-12-31): the range ends at midnight after `last`, and its
    # backlog hours may start a month before that
    lo, hi = date.min + MAX_BACKLOG, date.max - timedelta(days=1)
    first, last = min(max(first, lo), hi), min(max(last, lo), hi)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    hours_from = max(start, end - MAX_BACKLOG)
    figures = page_figures(session, who.brands, desk.settings, start, end, hours_from,
                           min(end, desk.clock.now() + timedelta(hours=1)), team=who.at_least(Role.LEAD),
                           zone=zone)
    rows, fair = figures.daily, figures.fairness
    query = urlencode({"since": start.isoformat(), "until": end.isoformat(), "format": "csv"})
    return render(request, "reports.html", {
        "who": who,
        "active_nav": "reports",
        "since": first.isoformat(),
        "until": last.isoformat(),
        "zone": desk.settings.report_timezone,
        "rows": rows,
        "daily": [r.model_dump(mode="json") for r in rows],
        "breakdown": figures.breakdown.model_dump(mode="json"),
        "csv_daily": f"/api/v1/stats/daily?{query}&{urlencode({'tz': desk.settings.report_timezone})}",
        "csv_breakdown": f"/api/v1/stats/breakdown?{query}",
        "csv_fairness": f"/api/v1/stats/fairness?{query}",
        "csv_backlog": "/api/v1/reports/backlog?" + urlencode({"since": hours_from.isoformat(),
                                                                 "until": end.isoformat(), "format": "csv"}),
        "csv_agents": f"/api/v1/reports/agents?{query}",
        "backlog": [p.model_dump(mode="json") for p in figures.backlog],
        "team": figures.team,
        "fairness": fair,
        "fairness_data": fair.model_dump(mode="json"),
        "two_tier_ratio": TWO_TIER_RATIO,
    })


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request, who: PageUser) -> HTMLResponse:
    """The API reference, drawn from /openapi.json by Swagger UI served from /static (no CDN)."""
    return render(request, "docs.html", {"who": who, "active_nav": "docs"})


def mount_static(app: FastAPI) -> None:
    """Serve the dashboard's CSS, scripts and vendored Chart.js under /static."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
