"""Issue 4's acceptance test: the demo day replayed through the desk as it runs in production (ingest hooks).

The promoted lost-bag complaint must be the top case within 30 simulated minutes of being posted, with a risk
alert on record; the click-farm burst must be flagged and move no case. SQLite only: it replays 15 hours of
traffic (the risk storage itself is tested on both databases in test_risk_desk.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk
from wakeful.core.clock import FixedClock, as_utc
from wakeful.core.models import Post
from wakeful.core.settings import Settings
from wakeful.desk import click_farm, incidents, service
from wakeful.ingest import scenario
from wakeful.store.db import migrate
from wakeful.store.models import AuthorRow, CaseEventRow, CasePostRow, CaseRow, PostRow


def _batches(posts: list[Post], until: datetime) -> list[list[Post]]:
    """Posts observed before `until`, in one-minute batches as a poller would deliver them."""
    out: list[list[Post]] = []
    for p in posts:
        if p.observed_at() >= until:
            break
        if out and p.observed_at() - out[-1][0].observed_at() < timedelta(minutes=1):
            out[-1].append(p)
        else:
            out.append([p])
    return out


def test_demo_day_promoted_complaint_tops_the_queue_and_the_click_farm_moves_nothing(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/demo.db")
    migrate(settings.database_url)
    posts = scenario.generate_scenario(seed=7)
    ba = next(p for p in posts if p.id == scenario.INCIDENT_POST_ID)
    farm = [p for p in posts if p.raw["scenario"]["role"] == "fake_burst"]
    clock = FixedClock(posts[0].observed_at())
    desk = build_desk(settings, clock=clock, analyzer=Analyzer(settings.brands))
    burst_end = max(p.created_at for p in farm) + timedelta(minutes=2)
    top_at = None
    for batch in _batches(posts, burst_end):
        clock.set(batch[-1].observed_at())
        desk.ingest.ingest(batch)
        if top_at is None and clock.now() >= ba.created_at:
            with desk.db.session() as s:
                [top] = service.list_cases(s, {"aurora"}, clock.now(), settings, limit=1)
                if top.author.handle == scenario.INCIDENT_AUTHOR_HANDLE:
                    top_at = clock.now()
    assert top_at is not None and top_at - ba.created_at <= timedelta(minutes=30)

    with desk.db.session() as s:
        case_id = s.scalars(select(CasePostRow.case_id).join(PostRow, PostRow.id == CasePostRow.post_id)
                            .where(PostRow.platform_id == ba.id)).one()
        [alert] = s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id,
                                                       CaseEventRow.kind == "risk")).all()
        assert as_utc(alert.at) - ba.created_at <= timedelta(minutes=30)
        assert alert.text is not None and "promoted" in alert.text and "followers would see" in alert.text
        detail = service.case_detail(s, case_id, {"aurora"}, clock.now(), settings)
        assert detail.risk is not None and detail.risk.promoted and detail.risk.forecast_6h
        assert any(r.startswith("risk ") for r in detail.priority.reasons)
        assert any(item.kind == "risk" for item in detail.timeline)

        flagged = [i for i in incidents.list_incidents(s, {"aurora"}) if i.key == click_farm.BURST_KEY]
        assert len(flagged) == 1 and "click farm" in flagged[0].summary
        assert "not counted" in flagged[0].summary
        farm_ids = {p.author.id for p in farm}
        farm_cases = set(s.scalars(
            select(CaseRow.id).join(CasePostRow, CasePostRow.case_id == CaseRow.id)
            .join(PostRow, PostRow.id == CasePostRow.post_id).join(AuthorRow, AuthorRow.id == PostRow.author_id)
            .where(AuthorRow.platform_id.in_(farm_ids))))
        for summary in service.list_cases(s, {"aurora"}, clock.now(), settings, limit=10_000):
            if summary.id in farm_cases:
                assert not any(r.startswith("risk") or "head start" in r for r in summary.priority.reasons)
        # The trained complaint model reads a few of the farm's copies ("never disappoints") as complaints: the
        # cases they open are resolved, with the reason, as soon as the burst is flagged.
        opened_by_farm = s.scalars(select(CaseRow).join(AuthorRow, AuthorRow.id == CaseRow.author_id)
                                   .where(AuthorRow.platform_id.in_(farm_ids))).all()
        assert all(c.state == "resolved" and c.first_response_at is None for c in opened_by_farm)
        for case in opened_by_farm:
            notes = s.scalars(select(CaseEventRow.text).where(CaseEventRow.case_id == case.id,
                                                              CaseEventRow.kind == "note")).all()
            assert notes == [click_farm.SET_ASIDE]
