"""What every request needs (database, settings, clock, the ingest path) and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from wakeful.api.auth import Principal, Role, authenticate
from wakeful.core.clock import Clock
from wakeful.core.settings import Settings
from wakeful.ingest.service import IngestService
from wakeful.store.db import Database

COOKIE = "wakeful_token"


@dataclass
class Desk:
    db: Database
    settings: Settings
    clock: Clock
    ingest: IngestService


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def get_session(desk: Annotated[Desk, Depends(get_desk)]) -> Iterator[Session]:
    with desk.db.session() as session:
        yield session


bearer = HTTPBearer(auto_error=False, description="An API token: `wakeful token create NAME --brand B --role R`")


def token_from(request: Request, creds: HTTPAuthorizationCredentials | None) -> str:
    if creds is not None:
        return creds.credentials
    return request.cookies.get(COOKIE, "")


def current_principal(
    request: Request,
    desk: Annotated[Desk, Depends(get_desk)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    token = token_from(request, creds)
    with desk.db.session() as session:
        principal = authenticate(session, token)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid token" if token else "authentication required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def require(role: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.at_least(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role.value} role or above")
        return principal

    return check


AnyUser = Annotated[Principal, Depends(require(Role.AGENT))]
Lead = Annotated[Principal, Depends(require(Role.LEAD))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
DbSession = Annotated[Session, Depends(get_session)]
DeskDep = Annotated[Desk, Depends(get_desk)]
