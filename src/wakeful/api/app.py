"""The wakeful server: the JSON API under /api/v1, the dashboard at /, and /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wakeful.analyze import Analyzer
from wakeful.api import agents as agents_api
from wakeful.api import cases, ingest
from wakeful.api import connectors as connectors_api
from wakeful.api import incidents as incidents_api
from wakeful.api import reports as report_api
from wakeful.api import settings as settings_api
from wakeful.api.deps import AnyUser, Desk
from wakeful.core.clock import Clock, SystemClock
from wakeful.core.settings import Settings
from wakeful.desk import incidents, notify, risk, routing, scheduled
from wakeful.ingest.connectors.runner import reply_job, start_connectors
from wakeful.ingest.service import IngestService, PostAnalyzer
from wakeful.store.db import Database
from wakeful.web import settings_page, views

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30  # seconds a client is asked to wait when the database is unavailable


def build_desk(settings: Settings, db: Database | None = None, clock: Clock | None = None,
               analyzer: PostAnalyzer | None = None) -> Desk:
    db = db or Database(settings.database_url)
    clock = clock or SystemClock()
    base, settings = settings, settings_api.load_at_start(settings, db)
    analyzer = analyzer or Analyzer(settings.brands)
    notifier = notify.BrandNotifier(db, settings.notify, clock)
    hooks = [incidents.case_hook, risk.case_hook(lambda: intake.settings, notifier), routing.case_hook(notifier)]
    intake = IngestService(db, analyzer, settings, clock, case_hooks=hooks)  # the risk hook reads its live settings
    return Desk(db=db, settings=settings, clock=clock, ingest=intake, jobs=[scheduled.job(notifier),
                settings_api.reload_job], base_settings=base, notifier=notifier)


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

    @app.exception_handler(OperationalError)
    async def database_unavailable(_request: Request, err: OperationalError) -> JSONResponse:
        """The database is down or unreachable: 503 with Retry-After, which webhook senders and connectors read
        as "deliver again later" (a bare 500 says the request itself was bad). Nothing of the request was kept."""
        log.warning("database unavailable: %s", str(err.orig or err).strip().splitlines()[0])
        return JSONResponse({"detail": "database unavailable; nothing was stored, retry later"}, status_code=503,
                            headers={"Retry-After": str(RETRY_AFTER_S)})

    app.include_router(ingest.router)
    app.include_router(cases.router)
    app.include_router(incidents_api.router)
    app.include_router(report_api.router)
    app.include_router(agents_api.router)
    app.include_router(connectors_api.router)
    app.include_router(settings_api.router)
    app.include_router(views.router)
    app.include_router(settings_page.router)
    views.mount_static(app)
    app.add_middleware(NoStoreApi)
    return app
