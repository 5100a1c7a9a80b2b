"""The wakeful server: the JSON API under /api/v1, the dashboard at /, and /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import URL, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wakeful.analyze import Analyzer
from wakeful.api import agents as agents_api
from wakeful.api import cases, ingest
from wakeful.api import connectors as connectors_api
from wakeful.api import incidents as incidents_api
from wakeful.api import privacy as privacy_api
from wakeful.api import reports as report_api
from wakeful.api import settings as settings_api
from wakeful.api.deps import (
    PRINCIPAL_CHECKS,
    AnyUser,
    Desk,
    bearer,
    current_principal,
    get_desk,
    not_signed_in,
    principal_of,
)
from wakeful.api.session_cookie import SessionCookieIn
from wakeful.core.clock import Clock, SystemClock
from wakeful.core.names import SYSTEM_ACTORS
from wakeful.core.settings import Settings
from wakeful.desk import agents, digest, incidents, notify, retention, risk, routing, scheduled
from wakeful.ingest.connectors.runner import reply_job, start_connectors
from wakeful.ingest.service import IngestService, PostAnalyzer
from wakeful.store.db import ASCII_ONLY_FOLDING, Database, folds_every_alphabet
from wakeful.web import settings_page, signin, views

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30  # seconds a client is asked to wait when the database is unavailable


def build_desk(settings: Settings, db: Database | None = None, clock: Clock | None = None,
               analyzer: PostAnalyzer | None = None) -> Desk:
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    _check_case_folding(db)
    _check_reserved_names(db)
    base, settings = settings, settings_api.load_at_start(settings, db)
    analyzer = analyzer or Analyzer(settings.brands, encoder=settings.sentiment_encoder)
    notifier = notify.BrandNotifier(db, settings.notify, clock)
    hooks = [incidents.case_hook, risk.case_hook(lambda: intake.settings, notifier), routing.case_hook(notifier)]
    intake = IngestService(db, analyzer, settings, clock, case_hooks=hooks)  # the risk hook reads its live settings
    return Desk(db=db, settings=settings, clock=clock, ingest=intake, jobs=[scheduled.job(notifier),
                settings_api.reload_job, digest.job(notifier), retention.job()], base_settings=base,
                notifier=notifier)


def _check_case_folding(db: Database) -> None:
    """Warn at start when the database folds ASCII letters only, which searches by name would silently suffer."""
    try:
        folds = folds_every_alphabet(db.engine)
    except SQLAlchemyError:
        return  # a database that is down is reported by the first thing that reads it
    if not folds:
        log.warning(ASCII_ONLY_FOLDING)


def _check_reserved_names(db: Database) -> None:
    """Warn at start about a user or agent named as the desk's own actions are recorded ('desk'), which only desks
    older than the rule refusing such names can hold: their work would be counted as the desk's."""
    try:
        with db.session() as session:
            held = agents.reserved_names_in_use(session)
    except SQLAlchemyError:
        return  # not migrated yet, or down: nothing to warn about here
    for who, retire in held:
        log.warning("%s is named as the desk's own actions are recorded (%s): its changes to cases read as the "
                    "desk's and its resolutions count as quiet ones; add the person under another name and retire "
                    "this one (%s)", who, ", ".join(SYSTEM_ACTORS), retire)


def run_jobs(desk: Desk) -> None:
    """One round of the scheduled jobs; a failing job is logged and does not stop the others."""
    now = desk.clock.now()
    for job in desk.jobs:
        try:
            job(desk, now)
        except Exception:
            log.exception("scheduled job %s failed", getattr(job, "__name__", job))


def _scheduler(desk: Desk) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(desk.settings.scheduler_interval_s)
                await run_in_threadpool(run_jobs, desk)

        if isinstance(desk.notifier, notify.BrandNotifier):  # what a crash of the last server left unsent
            await run_in_threadpool(desk.notifier.resume)
        task = asyncio.create_task(loop())
        desk.jobs.append(reply_job(desk.settings))  # also records replies to unconnected platforms as not sent
        runner = start_connectors(desk.settings, desk.ingest)  # None unless a platform is configured
        try:
            yield
        finally:
            task.cancel()
            if runner is not None:
                await run_in_threadpool(runner.stop)

    return lifespan


class NoStoreApi:
    """`Cache-Control: no-store` on every `/api/` answer that sets none: they carry customers' posts and names, which
    a shared proxy or the browser's disk cache must not keep (the pages set the same header themselves)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_no_store)


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
"""The database is down, dropped the connection, or every pooled connection is busy past the pool's timeout
(a burst of webhook deliveries): each a state to wait out, not a bad request."""


async def database_unavailable(_request: Request, err: Exception) -> JSONResponse:
    """The database is down or unreachable, or none of its connections came free in time: 503 with Retry-After,
    which webhook senders and connectors read as "deliver again later" (a bare 500 says the request itself was
    bad). Nothing of the request was kept."""
    log.warning("database unavailable: %s", str(getattr(err, "orig", None) or err).strip().splitlines()[0])
    return JSONResponse({"detail": "database unavailable; nothing was stored, retry later"}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_S)})


async def unless_database_down(request: Request, refusal: Awaitable[Response | None]) -> Response | None:
    """`refusal`, or the 503 of `database_unavailable` where it could not ask the database who the caller is.

    The refusals below run inside exception handlers, where an error escapes as a bare 500: a request the routes
    would have answered 503 (their own sign-in check raising the same error) would then tell by its 500 that it
    took another way, a path nobody serves among them."""
    try:
        return await refusal
    except DATABASE_UNAVAILABLE as err:
        return await database_unavailable(request, err)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """What a route's dependencies call, each after what it depends on (a role check after the sign-in)."""
    for sub in dependant.dependencies:
        yield from _calls(sub)
        if sub.call is not None:
            yield sub.call


async def refused_caller(request: Request) -> Response | None:
    """What the matched route's own sign-in check answers this caller (401, the session's CSRF 403, a role or brand
    the route needs, or a page's redirect to /login), or None when it lets them in or the route has no such check.

    FastAPI reads and validates a body (and picks the method) before it runs a route's dependencies, sign-in among
    them, so without this a caller with no credentials would learn that their JSON was malformed or what the route
    expects. The check is read from the route's dependencies, so a route that checks its caller another way (a
    webhook's signature, a token in its URL) and the public ones (health, sign-in) keep their own answers."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or getattr(request.state, "principal", None) is not None:
        return None  # no sign-in check, or it has run already and let them in
    calls = list(_calls(route.dependant))
    desk = get_desk(request)
    try:
        if any(call is current_principal for call in calls):
            who = await run_in_threadpool(current_principal, request, desk, await bearer(request))
            for check in (c for c in calls if any(c is known for known in PRINCIPAL_CHECKS)):  # c may not hash
                check(who)  # the role or brands the route asks for: 403, as with a well-formed body
        elif any(call is views.page_user for call in calls):
            await run_in_threadpool(views.page_user, request, desk)
    except HTTPException as refused:
        return await http_exception_handler(request, refused)
    return None


def answers_as_api(path: str) -> bool:
    """Whether a path no route serves refuses an anonymous caller as the API does (401) rather than as a page (the
    redirect to /login). The rule sorts the app's own routes the same way (the API under /api/, /openapi.json), so
    the answer does not tell whether the path exists."""
    return path == "/api" or path.startswith("/api/") or path.endswith(".json")


def _signed_in(request: Request, desk: Desk, creds: HTTPAuthorizationCredentials | None) -> bool:
    """Whether the caller is signed in either way (API token or session). With the database down nobody is known:
    under the API its error stands (the API's routes ask the database first too: 503), while a page path goes on as
    anonymous, since the pages' check reads the session cookie only (a token alone is redirected without a query)."""
    try:
        return principal_of(request, desk, creds) is not None
    except DATABASE_UNAVAILABLE:
        if answers_as_api(request.url.path):
            raise
        return False


async def anonymous_refusal(request: Request) -> Response | None:
    """What the routes of this path's kind answer a caller who is not signed in (see `answers_as_api`), or None for
    one signed in either way (API token or session), to whom a path that does not exist may say so."""
    desk = get_desk(request)
    creds = await bearer(request)
    try:
        if not await run_in_threadpool(_signed_in, request, desk, creds):
            if answers_as_api(request.url.path):
                raise not_signed_in(request, creds)
            await run_in_threadpool(views.page_user, request, desk)  # the sign-in redirect, as a page's
    except HTTPException as refused:
        return await http_exception_handler(request, refused)
    return None


async def unserved_path(request: Request) -> Response | None:
    """The answer to a path no route serves, in place of a 404: a caller who is not signed in hears what a served
    path of its kind answers, so that guessing tells nothing about what exists; None (404) for one signed in.

    A trailing slash is dropped by a redirect whether or not the path without it exists (Starlette redirects only
    where a route is, which would tell). No route but "/" ends in a slash, so every path that was redirected still
    is, and a public one such as /healthz/ still reaches its route."""
    path = request.scope["path"]
    if request.scope["type"] == "http" and path.endswith("/") and path.strip("/"):
        return RedirectResponse(URL(scope=dict(request.scope, path=path.rstrip("/"))))
    return await anonymous_refusal(request)


def _answer_callers_first(app: FastAPI) -> None:
    """Send who-are-you before what-is-wrong: a request the app refuses before the route's sign-in check ran (a
    malformed or invalid body, one it cannot read or that is too large, a method the path does not serve) gets
    the sign-in check's answer when that refuses the caller, and its own answer otherwise. A path no route serves
    answers as `unserved_path` says. Either answers 503 where the database is down, as the routes do."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, err: RequestValidationError) -> Response:
        refused = await unless_database_down(request, refused_caller(request))
        if refused is not None:
            return refused
        route, who = request.scope.get("route"), getattr(request.state, "principal", None)
        if isinstance(route, APIRoute) and route.response_class is HTMLResponse and who is not None:
            return views.invalid_address(request, who, err.errors())  # a page, for a person: not JSON
        return await request_validation_exception_handler(request, err)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if 400 <= err.status_code < 500 and err.status_code not in (401, 403):
            matched = "endpoint" in request.scope  # set by any route or mount that took the path (static files)
            refusal = refused_caller(request) if matched else unserved_path(request)
            refused = await unless_database_down(request, refusal)
            if refused is not None:
                return refused
        return await http_exception_handler(request, err)


def create_app(desk: Desk) -> FastAPI:
    app = FastAPI(
        lifespan=_scheduler(desk),
        title="wakeful",
        summary="An always-on social-media customer-care desk",
        description="Every endpoint but `/healthz` needs a token (`Authorization: Bearer …`), scoped to one brand "
                    "and a role: agent, lead or admin. Create one with `wakeful token create`.",
        version="0.1.0",
        openapi_url=None,  # served below, behind sign-in; /docs is a dashboard page with the vendored Swagger UI
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # `unserved_path` redirects, without looking for a route first
    )
    app.state.desk = desk

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(_: AnyUser) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/healthz", tags=["health"],
             summary="Liveness and database reachability; no authentication (HEAD answers too, for load balancers)")
    @app.head("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        try:
            with desk.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as err:
            detail = f"database unreachable: {type(err).__name__}"
            return JSONResponse({"status": "unavailable", "detail": detail}, status_code=503)
        return JSONResponse({"status": "ok"})

    for unavailable in DATABASE_UNAVAILABLE:
        app.exception_handler(unavailable)(database_unavailable)
    app.include_router(ingest.router)
    app.include_router(cases.router)
    app.include_router(incidents_api.router)
    app.include_router(report_api.router)
    app.include_router(agents_api.router)
    app.include_router(connectors_api.router)
    app.include_router(settings_api.router)
    app.include_router(privacy_api.router)
    app.include_router(signin.router)
    app.include_router(views.router)
    app.include_router(settings_page.router)
    views.mount_static(app)
    _answer_callers_first(app)
    app.add_middleware(NoStoreApi)
    app.add_middleware(SessionCookieIn, desk=desk)
    return app
