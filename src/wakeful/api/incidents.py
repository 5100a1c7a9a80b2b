"""Incident endpoints: the list, the incident room's data, approving the holding statement and sending it to the
incident's waiting customers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from wakeful.api.auth import Principal
from wakeful.api.cases import refuse_blank
from wakeful.api.deps import AnyUser, DbSession, DeskDep, Lead, RowId
from wakeful.core.models import refuse_nul
from wakeful.core.settings import Settings
from wakeful.desk import incidents
from wakeful.desk.incidents import IncidentDetail, IncidentSummary
from wakeful.store.incidents import IncidentRow

router = APIRouter(prefix="/api/v1", tags=["incidents"])


def _load(session: Session, incident_id: int, who: Principal) -> IncidentRow:
    try:
        return incidents.load(session, incident_id, who.brands)
    except incidents.IncidentNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"incident {incident_id} not found") from None


def languages(settings: Settings, brand: str) -> list[str]:
    config = settings.brand(brand)
    return config.languages if config else ["en"]


def room(session: Session, row: IncidentRow, settings: Settings) -> IncidentDetail:
    """The incident room's data for the API and the page: the statement in the brand's languages, and none of the
    brand's own words among the top terms."""
    return incidents.detail(session, row, languages(settings, row.brand),
                            brand=incidents.brand_words(settings.brand(row.brand)),
                            programmes=settings.loyalty_programmes(row.brand))


@router.get("/incidents", response_model=list[IncidentSummary], summary="Incidents, newest first")
def list_incidents(who: AnyUser, session: DbSession, open_only: bool = False) -> list[IncidentSummary]:
    return incidents.list_incidents(session, who.brands, open_only=open_only)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, summary="The incident room's data")
def get_incident(incident_id: RowId, who: AnyUser, session: DbSession, desk: DeskDep) -> IncidentDetail:
    row = _load(session, incident_id, who)
    return room(session, row, desk.settings)


class StatementBody(BaseModel):
    text: str = Field(min_length=1, max_length=5_000)

    _text = field_validator("text")(refuse_nul)  # a 422 naming it, not a database error on PostgreSQL
    _said = field_validator("text")(refuse_blank)  # a blank statement would show as approved, saying nothing


@router.post("/incidents/{incident_id}/statement", response_model=IncidentDetail,
             summary="Approve the holding statement (leads and admins)")
def approve(incident_id: RowId, body: StatementBody, who: Lead, session: DbSession, desk: DeskDep) -> IncidentDetail:
    row = _load(session, incident_id, who)
    incidents.approve_statement(row, body.text, who.name, desk.clock.now())
    return room(session, row, desk.settings)


class AnswerBody(BaseModel):
    lang: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}$",
                             description="Only the cases in this language (the statement's); all when left out")


class Answered(BaseModel):
    answered: list[int] = Field(description="The cases the statement was sent to, now waiting on the customer")


@router.post("/incidents/{incident_id}/answer", response_model=Answered,
             summary="Send the approved statement to every case of the incident still waiting (leads and admins)",
             description="Cases with legal flags are left for a reviewed reply of their own. 409 until a statement "
                         "is approved.")
def answer(incident_id: RowId, body: AnswerBody, who: Lead, session: DbSession, desk: DeskDep) -> Answered:
    row = _load(session, incident_id, who)
    lang = body.lang.lower() if body.lang else None
    try:
        ids = incidents.answer_cases(session, row, who.name, desk.clock.now(), lang=lang)
    except ValueError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    return Answered(answered=ids)
