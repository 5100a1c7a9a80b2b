"""Stored posts read again with today's models: what an older model or detector wrote is brought up to date, open
cases follow, resolved ones keep their record, and a run is safe to interrupt and repeat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from wakeful.analyze.pipeline import Analyzer
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.models import Analysis
from wakeful.desk import service
from wakeful.desk.cases import CaseState
from wakeful.ingest.reanalyze import reanalyze
from wakeful.store.models import CaseRow, PostRow

from tests.factories import T0, make_post

LOST_BAG = "@AuroraAirways you lost my bag on AU 2213 and nobody answers. Call me on +44 7700 900123"
PRAISE = "Thanks @AuroraAirways, smooth flight today"


def older_reading(desk: Desk, post_id: str, **values: Any) -> None:
    """What an earlier model or detector had written on a stored post."""
    with desk.db.session() as s:
        s.execute(update(PostRow).where(PostRow.platform_id == post_id).values(**values))


def post(desk: Desk, post_id: str) -> dict[str, Any]:
    with desk.db.session() as s:
        row = s.scalars(select(PostRow).where(PostRow.platform_id == post_id)).one()
        return {"pii": row.pii, "severity": row.severity, "topics": row.topics, "complaint": row.complaint,
                "sentiment": row.sentiment}


def the_case(desk: Desk) -> CaseRow:
    with desk.db.session() as s:
        case = s.scalars(select(CaseRow)).one()
        s.expunge(case)
        return case


def test_an_older_reading_is_brought_up_to_date_and_the_open_case_follows(desk: Desk, analyzer: Analyzer) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG), make_post("p2", PRAISE, author="bob")])
    today = post(desk, "p1")
    assert today["pii"] == ["phone"] and today["complaint"] and today["topics"]
    older_reading(desk, "p1", pii=[], severity=0, topics=[], complaint=False, sentiment="neutral")
    with desk.db.session() as s:
        s.execute(update(CaseRow).values(severity=0, topics=[]))

    result = reanalyze(desk.db, analyzer, desk.clock.now())

    assert (result.read, result.changed, result.cases) == (2, 1, 1)
    assert {c: result.columns[c] for c in ("pii", "severity", "topics", "complaint", "sentiment")} == dict.fromkeys(
        ("pii", "severity", "topics", "complaint", "sentiment"), 1)
    assert post(desk, "p1") == today
    case = the_case(desk)
    assert case.severity == today["severity"] and case.topics == sorted(today["topics"])
    again = reanalyze(desk.db, analyzer, desk.clock.now())
    assert (again.read, again.changed, again.cases) == (2, 0, 0)  # a rerun rewrites nothing


def test_a_dry_run_counts_and_writes_nothing(desk: Desk, analyzer: Analyzer) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG)])
    older_reading(desk, "p1", pii=[])
    result = reanalyze(desk.db, analyzer, desk.clock.now(), dry_run=True)
    assert (result.changed, dict(result.columns)) == (1, {"pii": 1})
    assert post(desk, "p1")["pii"] == []


def test_a_resolved_case_keeps_what_the_desk_closed(desk: Desk, analyzer: Analyzer) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG)])
    older_reading(desk, "p1", severity=0, topics=[])
    with desk.db.session() as s:
        s.execute(update(CaseRow).values(severity=0, topics=[], state=CaseState.RESOLVED.value))
    result = reanalyze(desk.db, analyzer, desk.clock.now())
    assert result.changed == 1 and result.cases == 0
    assert post(desk, "p1")["topics"] and (the_case(desk).severity, the_case(desk).topics) == (0, [])


def test_since_leaves_older_posts_alone(desk: Desk, analyzer: Analyzer) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG), make_post("p2", LOST_BAG, author="bob", minutes=3)])
    older_reading(desk, "p1", pii=[])
    older_reading(desk, "p2", pii=[])
    result = reanalyze(desk.db, analyzer, desk.clock.now(), since=T0 + timedelta(minutes=1))
    assert (result.read, result.changed) == (1, 1)
    assert post(desk, "p1")["pii"] == [] and post(desk, "p2")["pii"] == ["phone"]


class FailsOnSecondBatch:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer, self.calls = analyzer, 0

    def analyze_texts(self, texts: Sequence[str], tags: Sequence[str | None]) -> list[Analysis]:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("killed mid-run")
        return self.analyzer.analyze_texts(texts, tags)


def test_an_interrupted_run_keeps_the_batches_it_finished(desk: Desk, analyzer: Analyzer) -> None:
    desk.ingest.ingest([make_post(f"p{i}", LOST_BAG, author=f"u{i}", minutes=i) for i in range(3)])
    for i in range(3):
        older_reading(desk, f"p{i}", pii=[])
    with pytest.raises(RuntimeError):
        reanalyze(desk.db, FailsOnSecondBatch(analyzer), desk.clock.now(), batch=2)
    assert [post(desk, f"p{i}")["pii"] for i in range(3)] == [["phone"], ["phone"], []]
    assert reanalyze(desk.db, analyzer, desk.clock.now(), batch=2).changed == 1


def test_the_case_page_redacts_what_todays_detector_finds(desk: Desk) -> None:
    """A post stored before the detector knew a kind of personal data is not shown in clear on the case page."""
    desk.ingest.ingest([make_post("p1", LOST_BAG)])
    older_reading(desk, "p1", pii=[])
    case_id = the_case(desk).id
    with desk.db.session() as s:
        detail = service.case_detail(s, case_id, None, desk.clock.now(), desk.settings)
        revealed = service.reveal(s, service.load_case(s, case_id, None), "lead", desk.clock.now())
    shown = [item for item in detail.timeline if item.kind == "post"]
    assert shown[0].redacted and "7700" not in (shown[0].text or "") and "[phone]" in (shown[0].text or "")
    assert [r.text for r in revealed] == [LOST_BAG]  # and an agent who needs it can still see it, on record


def test_the_command_reports_what_changed(desk: Desk, cli_runner: CliRunner) -> None:
    desk.ingest.ingest([make_post("p1", LOST_BAG)])
    older_reading(desk, "p1", pii=[], severity=0)
    dry = cli_runner.invoke(app, ["db", "reanalyze", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "read 1 posts; would change 1" in dry.output and "pii: 1" in dry.output
    assert post(desk, "p1")["pii"] == []
    done = cli_runner.invoke(app, ["db", "reanalyze", "--since", "2026-03-02"])
    assert done.exit_code == 0, done.output
    assert "changed 1, and 0 open cases' severity or topics" in done.output  # the case never lost its severity
    assert post(desk, "p1")["pii"] == ["phone"]
    bad = cli_runner.invoke(app, ["db", "reanalyze", "--since", "last week"])
    assert bad.exit_code == 2 and "'last week' is not a date" in bad.output
