"""What every request needs (database, settings, clock, the ingest path) and who is asking."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from wakeful.api.auth import Principal, Role, authenticate, session_principal
from wakeful.core.clock import Clock
from wakeful.core.settings import Settings
from wakeful.desk.routing import Notifier
from wakeful.ingest.service import IngestService
from wakeful.store.db import Database

COOKIE = "wakeful_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class Desk:
    db: Database
    settings: Settings
    clock: Clock
    ingest: IngestService
    jobs: list[Job] = field(default_factory=list)
    """Run by the server every `settings.scheduler_interval_s` (escalations, re-routing, forecasts)."""
    base_settings: Settings | None = None
    """The configuration file's settings, under leads' saved brand edits (`settings` is the result)."""

    @property
    def file_settings(self) -> Settings:
        """What leads' brand edits are laid over: `base_settings`, or `settings` for a desk built without them."""
        return self.base_settings or self.settings
    notifier: Notifier | None = None
    """Where escalations and pages go (`desk.notify.BrandNotifier` from `settings.notify` in the server)."""


Job = Callable[["Desk", datetime], None]


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def get_session(desk: Annotated[Desk, Depends(get_desk)]) -> Iterator[Session]:
    with desk.db.session() as session:
        yield session


bearer = HTTPBearer(auto_error=False, description="An API token: `wakeful token create NAME --brand B --role R`")


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def principal_of(request: Request, desk: Desk, creds: HTTPAuthorizationCredentials | None) -> Principal | None:
    """An API token in the Authorization header, or else the dashboard's session cookie."""
    with desk.db.session() as session:
        if creds is not None:
            return authenticate(session, creds.credentials)
        return session_principal(session, request.cookies.get(COOKIE, ""), desk.clock.now())


def not_signed_in(request: Request, creds: HTTPAuthorizationCredentials | None) -> HTTPException:
    """The API's 401, for its routes and for paths nobody serves alike (see `app.unserved_path`)."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "missing or invalid token" if creds or COOKIE in request.cookies
        else "authentication required: send 'Authorization: Bearer <token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_principal(
    request: Request,
    desk: Annotated[Desk, Depends(get_desk)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    principal = principal_of(request, desk, creds)
    if principal is None:
        raise not_signed_in(request, creds)
    if principal.csrf is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), principal.csrf.encode()):  # str would raise on non-ASCII: a 500
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER} header")
    request.state.principal = principal  # let in: an error answered later need not check the caller again
    return principal


PRINCIPAL_CHECKS: set[Callable[[Principal], Principal]] = set()
"""The dependencies that judge a signed-in caller (role, brands): the app runs them too, after sign-in, before
it tells a caller what is wrong with a request its route's dependencies never saw (see `app.refused_caller`)."""


def require(role: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.at_least(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role.value} role or above")
        return principal

    PRINCIPAL_CHECKS.add(check)
    return check


def every_brand_admin(principal: Annotated[Principal, Depends(require(Role.ADMIN))]) -> Principal:
    """Posts on their way in and the records the desk refused belong to no brand until analysed, so only an admin
    of every brand ('*') may send or read them: one brand's admin could otherwise rewrite another brand's posts
    (an edit is the same post sent again) or read its customers' refused records."""
    if principal.brands is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs an admin token for every brand ('*')")
    return principal


PRINCIPAL_CHECKS.add(every_brand_admin)


AnyUser = Annotated[Principal, Depends(require(Role.AGENT))]
Lead = Annotated[Principal, Depends(require(Role.LEAD))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
DeskAdmin = Annotated[Principal, Depends(every_brand_admin)]
"""An admin of every brand ('*'): ingest and the rejected records."""
DbSession = Annotated[Session, Depends(get_session)]
DeskDep = Annotated[Desk, Depends(get_desk)]

MAX_ROW_ID = 2**31 - 1
"""The largest id a row can have: ids are INTEGER columns, 32-bit on PostgreSQL (SQLite's hold 64 bits)."""
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The row's id, as the API lists it")]
"""A row's id in a path, e.g. /cases/{case_id}: one no row can have is a 422 naming the parameter, not a 500 from a
database that cannot hold the number."""
