"""A desk holding one German customer's personal data in every place it can reach, for the privacy tests.

Jonas (@jonas_k84 on X) complains about a lost bag, edits his post, is answered on the platform and by an agent
(a queued reply, a note naming him), has his personal data revealed, writes to a second brand (Nord Rail), is named
in a notification and in a post of another customer (Marie, in French), and one of his posts was refused for a time
ahead of the desk's clock. Lena writes too; her case stays open. `deliver_with_errors` sends the replies through a
platform whose errors quote them. `dump` reads back every text of every table, to search for what must be gone.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, select
from sqlalchemy.orm import Session

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.desk import service
from wakeful.desk.cases import CaseState
from wakeful.desk.daily import breakdown, daily_report
from wakeful.desk.fairness import fairness_report
from wakeful.desk.reports import summary
from wakeful.ingest.connectors.replies import Outgoing, ReplyDispatcher, SendError
from wakeful.ingest.jsonl import RecordError
from wakeful.store import notify as outbox
from wakeful.store.models import AuthorRow, CaseRow, PostRow
from wakeful.store.notify import NotificationRow
from wakeful.store.registry import Base

from tests.factories import T0

HANDLE, ACCOUNT, NAME = "jonas_k84", "1612345678901234567", "Jonas Keller"
BIO = "Münchner Vielflieger, Fotograf"
FIRST, EDITED, SECOND, REFUSED = "1790000000000000001", "Mein Koffer ist seit drei Tagen verschwunden", \
    "1790000000000000007", "1790000000000000009"
JONAS_TEXTS = ("@AuroraAirways Mein Koffer ist seit drei Tagen verschwunden, Flug AU 311 aus München. Buchung "
               "QX4821, niemand hilft!",
               "@AuroraAirways Mein Koffer ist seit drei Tagen verschwunden, Flug AU 311. Buchung QX4821. Update: "
               "immer noch nichts, ich bin wütend",
               "@NordRail Und jetzt wurde mein Anschlusszug nach Hamburg gestrichen, niemand sagt etwas",
               "@AuroraAirways Schon wieder keine Antwort zu meiner Erstattung")
NOTE = "Rückruf an Jonas Keller vereinbart, Gepäckanhänger MUC 480215"
REPLY = "Hallo @jonas_k84, wir haben Ihren Koffer gefunden und liefern ihn morgen nach Schwabing."
TRACES = (HANDLE, ACCOUNT, NAME, "Münchner", "Koffer", "QX4821", "Hamburg", "Erstattung", "Schwabing", "MUC 480215",
          FIRST, SECOND, REFUSED)
"""What must be found nowhere once Jonas is erased: his handle, account id, name, profile, words and post ids."""


def jonas(pid: str, text: str, at: timedelta, *, edited: timedelta | None = None,
          conversation: str | None = None) -> Post:
    author = Author(id=ACCOUNT, handle=HANDLE, display_name=NAME, followers=12_345, following=321,
                    created_at=T0 - timedelta(days=2000), description=BIO)
    raw: dict[str, Any] = {"data": {"id": pid, "author_id": ACCOUNT, "text": text, "lang": "de"},
                           "includes": {"users": [{"id": ACCOUNT, "username": HANDLE, "name": NAME,
                                                   "description": BIO}]}}
    return Post(platform=Platform.X, id=pid, author=author, text=text, created_at=T0 + at, lang="de",
                conversation_id=conversation or pid, url=f"https://x.com/{HANDLE}/status/{pid}", raw=raw,
                engagement=Engagement(observed_at=T0 + at, likes=3, impressions=900),
                edited_at=T0 + edited if edited is not None else None)


def other(pid: str, handle: str, text: str, at: timedelta, *, reply_to: str | None = None,
          conversation: str | None = None, followers: int = 80) -> Post:
    raw: dict[str, Any] = {"data": {"id": pid, "text": text}}
    if reply_to:
        raw["data"]["in_reply_to_user_id"] = ACCOUNT
        raw["data"]["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        raw["data"]["entities"] = {"mentions": [{"username": HANDLE, "id": ACCOUNT}]}
    return Post(platform=Platform.X, id=pid, author=Author(id=f"id-{handle}", handle=handle, followers=followers),
                text=text, created_at=T0 + at, reply_to_id=reply_to, conversation_id=conversation or pid,
                url=f"https://x.com/{handle}/status/{pid}", raw=raw,
                engagement=Engagement(observed_at=T0 + at, likes=1))


@dataclass
class Scenario:
    jonas_cases: list[int]
    marie_case: int
    lena_case: int


def build(desk: Desk, clock: FixedClock) -> Scenario:
    """Fill the desk; the clock ends one hour after the first post."""
    h = timedelta(hours=1)
    ingest = desk.ingest.ingest
    ingest([jonas(FIRST, JONAS_TEXTS[0], -2 * h)])
    ingest([other("1790000000000000002", "AuroraHelp", "@jonas_k84 Das tut uns leid! Bitte schicken Sie uns eine DM.",
                  -h - h / 2, reply_to=FIRST, conversation=FIRST)])
    ingest([jonas(FIRST, JONAS_TEXTS[1], -2 * h, edited=-h)])
    ingest([other("1790000000000000003", "marie_dupont", "@AuroraAirways Vol AU 312 annulé, comme @jonas_k84 je "
                  "n'ai aucune nouvelle de ma valise. Remboursement ?", -h, followers=2_400)])
    ingest([other("1790000000000000004", "lena_b", "@AuroraAirways Wo ist mein Gepäck? Flug AU 320, seit gestern "
                  "nichts", -h / 2)])
    ingest([jonas(SECOND, JONAS_TEXTS[2], -h / 4)])
    refused = desk.ingest.ingest([jonas(REFUSED, JONAS_TEXTS[3], 3 * h)])
    assert len(refused.rejected) == 1, "the post dated ahead of the clock is kept as a rejected record"
    with desk.db.session() as session:
        cases = {c.author.handle: c for c in session.scalars(select(CaseRow).order_by(CaseRow.id))}
        mine = list(session.scalars(select(CaseRow.id).join(AuthorRow).where(AuthorRow.handle == HANDLE)
                                    .order_by(CaseRow.id)))
        first = session.get(CaseRow, mine[0])
        assert first is not None
        now = clock.now()
        service.add_note(session, first, NOTE, "ana", now)
        service.reveal(session, first, "ana", now)
        service.add_reply(session, first, REPLY, "ana", now, resolve=True)
        marie = cases["marie_dupont"]
        service.add_reply(session, marie, "Bonjour, nous regardons votre remboursement.", "ana", now, resolve=True)
        session.add(outbox.pending("ops", "case.risk", {"case_id": first.id, "brand": "aurora", "handle": HANDLE,
                                                        "score": 71.0, "snippet": JONAS_TEXTS[1][:80]}, now))
        scenario = Scenario(jonas_cases=mine, marie_case=marie.id, lena_case=cases["lena_b"].id)
    assert len(scenario.jonas_cases) == 2
    return scenario


class QuotingPlatform:
    """A platform whose errors quote the reply: it refuses Marie's for good (422) and takes Jonas's at the second
    try, after a passing error (left in the reply event's data once it is sent)."""

    def __init__(self) -> None:
        self.tries: Counter[int] = Counter()

    def send(self, reply: Outgoing) -> str:
        self.tries[reply.id] += 1
        if "remboursement" in reply.text:
            raise SendError(f'HTTP 422: {{"error": "Validation failed: Text {reply.text}"}}', permanent=True)
        if self.tries[reply.id] == 1:
            raise SendError(f"HTTP 503 while posting {reply.text!r}", wait=0)
        return "1790000000000000500"


def deliver_with_errors(desk: Desk) -> None:
    """Send the queued replies through `QuotingPlatform`, and let the risk alert's channel refuse it for good,
    answering with the alert it was sent (a webhook's 400 quoting the payload)."""
    dispatcher = ReplyDispatcher(desk.db, desk.clock, {"x": QuotingPlatform()})
    assert dispatcher.dispatch().failed == 1
    assert dispatcher.dispatch().sent == 1
    with desk.db.session() as session:
        for row in session.scalars(select(NotificationRow)):
            outbox.finish(session, row.id, 3, f"HTTP 400: unreadable {json.dumps(row.payload)}", desk.clock.now())


QUOTING_ERROR = (f"unreadable event: KeyError 'created_at' in {{'text': '{JONAS_TEXTS[0][:60]}', "
                 f"'username': '{HANDLE}'}}")


def refuse_quoting(desk: Desk) -> None:
    """A connector refuses an event of Jonas's with an error quoting it (a parser's message repeats its input), as
    `Connector.report_malformed` keeps it."""
    event = {"data": {"id": "1790000000000000013", "author_id": ACCOUNT, "text": JONAS_TEXTS[0]},
             "includes": {"users": [{"id": ACCOUNT, "username": HANDLE}]}}
    assert desk.ingest.reject("connector:x", [RecordError(0, "event", QUOTING_ERROR)], {0: event}) == 1


def figures(session: Session, desk: Desk) -> dict[str, Any]:
    """What the morning reports say: daily rows, topic and language breakdown, fairness and the desk summary."""
    since, until = T0 - timedelta(days=3), T0 + timedelta(days=3)
    return {
        "daily": [r.model_dump() for r in daily_report(session, None, since, until, desk.settings)],
        "breakdown": breakdown(session, None, since, until).model_dump(),
        "fairness": fairness_report(session, None).model_dump(),
        "summary": summary(session, None).model_dump(),
    }


def _texts(value: Any) -> list[str]:
    """A stored value as the strings an auditor would search: as stored, and JSON read back (escapes undone)."""
    if value is None:
        return []
    if isinstance(value, (dict, list)):
        return [json.dumps(value), json.dumps(value, ensure_ascii=False)]
    text = str(value)
    try:
        decoded = json.loads(text)
    except ValueError:
        return [text]
    return [text, json.dumps(decoded, ensure_ascii=False)]


def dump(session: Session) -> dict[str, list[str]]:
    """Every text and JSON column of every table, 'table.column' -> its values as strings."""
    out: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        for row in session.execute(select(*columns)) if columns else ():
            for column, value in zip(columns, row, strict=True):
                out.setdefault(f"{table.name}.{column.name}", []).extend(_texts(value))
    return out


def traces(session: Session, needles: tuple[str, ...] = TRACES) -> list[str]:
    """'table.column: needle' for each needle found anywhere, case-insensitively."""
    found = []
    for where, values in dump(session).items():
        for needle in needles:
            if any(needle.casefold() in v.casefold() for v in values):
                found.append(f"{where}: {needle}")
    return found


def post_text(session: Session, pid_like: str) -> str:
    row = session.scalars(select(PostRow).where(PostRow.platform_id == pid_like)).one()
    return row.text


def state_of(session: Session, case_id: int) -> str:
    case = session.get(CaseRow, case_id)
    assert case is not None
    return CaseState(case.state).value
