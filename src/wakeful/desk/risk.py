"""Each case's risk, recomputed whenever its posts or their engagement change, and one alert when it turns.

Runs as an ingest case hook: a batch that opens a case, adds a post to it or appends an engagement observation to
one of its posts (the ingest service passes those cases too) reassesses it in the same transaction, so the queue
and the case page show the new score as soon as the data is stored. Crossing the brand's `risk_min_score` records
a `risk` event on the case and notifies (webhook, e-mail, Slack) once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from wakeful.core.clock import as_utc
from wakeful.core.models import Author, Engagement
from wakeful.core.settings import Settings
from wakeful.desk.cases import customer_ids
from wakeful.desk.priority import at_risk
from wakeful.desk.routing import Notifier, RecordingNotifier
from wakeful.risk import authenticity, forecast, promotion
from wakeful.risk.reach import FOLLOWER_VIEW_RATE, IMPRESSIONS_PER_INTERACTION, ReachNow, counted_impressions
from wakeful.risk.score import RiskInputs, RiskScore, score
from wakeful.store.models import AuthorRow, CaseEventRow, CasePostRow, CaseRow, EngagementRow, PostRow
from wakeful.store.risk import CaseRiskRow

ACTOR = "risk"
SIX_HOURS = forecast.HORIZONS[0]


def author_of(row: AuthorRow) -> Author:
    return Author(id=row.platform_id, handle=row.handle, followers=row.followers, following=row.following,
                  created_at=as_utc(row.account_created_at) if row.account_created_at else None,
                  default_profile=row.default_profile, description=row.description, verified=row.verified)


def _engagement(e: EngagementRow) -> Engagement:
    """A stored observation, with an impression count of 0 beside interactions read as not counted yet."""
    interactions = e.likes + e.reposts + e.replies + e.quotes
    return Engagement(observed_at=as_utc(e.observed_at), likes=e.likes, reposts=e.reposts, replies=e.replies,
                      quotes=e.quotes, impressions=counted_impressions(e.impressions, interactions))


class _PostRisk:
    """What one of the customer's own posts contributes: promotion, forecast, bought likes and bought views.

    Bought likes and suspected fake accounts' replies are found first and left out of its interactions, both when
    judging whether its delivery beyond followers is paid promotion or bought views (bought likes must not pass for
    an ad's viewers) and before forecasting: the forecast stored and shown is then the genuine one, whether it
    extrapolates counted impressions or estimates them from interactions (where each fake interaction would add
    `IMPRESSIONS_PER_INTERACTION`), and the score takes it as it is. The forecast with them is kept only to say how
    much was left out. Impressions that look bought are left out of the impressions now and forecast, as the
    platform's counts scaled to the share people saw, so neither genuine reach nor the forecast counts what the
    view-bot service sold."""

    def __init__(self, post: PostRow, series: list[Engagement], now: datetime,
                 fake_replies: Collection[datetime] = ()) -> None:
        followers = self.followers = post.author.followers
        last = series[-1] if series else None
        self.likes = last.likes if last else 0
        bought = authenticity.bought_likes([(e.observed_at, e.likes, e.impressions) for e in series])
        self.fake_likes = bought[-1] if bought else 0
        fake = [b + min(e.replies, sum(t <= e.observed_at for t in fake_replies))
                for b, e in zip(bought, series, strict=True)]
        self.fake_interactions = fake[-1] if fake else 0
        self.promotion = promotion.detect(followers, last, post.promoted, post.raw,
                                          fake_interactions=self.fake_interactions)
        points = [forecast.Point(e.observed_at, e.interactions, e.impressions) for e in series]
        genuine = [forecast.Point(p.at, p.interactions - n, p.impressions) for p, n in zip(points, fake, strict=True)]
        self.forecast: forecast.Horizon | None = None
        self.forecast_24h: forecast.Horizon | None = None
        self.with_fakes: forecast.Horizon | None = None
        if sum(1 for p in points if p.interactions > 0) >= 1:
            created = as_utc(post.created_at)
            self.forecast, self.forecast_24h = forecast.forecast(created, followers, genuine, now,
                                                                 promoted=self.promotion.promoted).horizons
            if self.fake_interactions:
                self.with_fakes = forecast.forecast(created, followers, points, now,
                                                    promoted=self.promotion.promoted).horizons[0]
        self.now = ReachNow.of(followers, last)
        views = self.promotion.bought_impressions
        self.genuine_views = 1.0 - views / self.now.impressions if views and self.now.impressions_counted else 1.0
        self.estimate_now = (self.now.impressions * self.genuine_views if self.now.impressions_counted
                             else self._estimated(self.now.interactions - self.fake_interactions))

    def _estimated(self, interactions: float) -> float:
        """Impressions where the platform counts none: a share of followers plus what each interaction shows."""
        return self.followers * FOLLOWER_VIEW_RATE + interactions * IMPRESSIONS_PER_INTERACTION

    @property
    def genuine_audience(self) -> int:
        """People who saw it or could have, now: its followers, and the impressions counted (less views judged
        bought) or estimated from genuine interactions. Bought likes and bots' replies are fake engagement, not a
        fake audience, so counted impressions are not discounted for them; an estimate counts no audience for them,
        as bots show a post to nobody."""
        return max(self.followers, int(self.estimate_now))

    def impressions(self, horizon: forecast.Horizon | None, which: str = "impressions") -> float:
        """Impressions now or at a forecast horizon: counted where the platform counts, else estimated."""
        if horizon is None:
            return float(self.estimate_now)
        counted = getattr(horizon, which)
        if counted is not None:
            return float(counted) * self.genuine_views
        interactions = {"impressions": horizon.interactions, "impressions_low": horizon.low,
                        "impressions_high": horizon.high}[which]
        return self._estimated(interactions)

    def impressions_6h(self, which: str = "impressions") -> float:
        """Impressions expected 6 h from now: the forecast's; with no interaction yet to forecast from, those seen
        now, and at least the share of the author's followers who see a post in its first hours. X counts 0
        impressions on a post minutes old: read as the audience to come, a 500k-follower account's complaint would
        forecast none until someone liked it, below the same post on a platform that counts nothing."""
        if self.forecast is not None:
            return self.impressions(self.forecast, which)
        return max(self.estimate_now, self._estimated(0))

    @property
    def fake_forecast_6h(self) -> float:
        """Impressions in 6 h that counting the fake interactions would have added to the forecast."""
        if self.with_fakes is None:
            return 0.0
        return max(self.impressions(self.with_fakes) - self.impressions(self.forecast), 0.0)


def assess(session: Session, case: CaseRow, now: datetime) -> RiskScore:
    """The case's risk from its posts as stored now; also writes the `case_risk` row."""
    posts = list(session.scalars(select(PostRow).join(CasePostRow, CasePostRow.post_id == PostRow.id)
                                 .where(CasePostRow.case_id == case.id)))
    customers = customer_ids(session, case)  # with the accounts of cases merged into it
    own = [p for p in posts if p.author_id in customers]
    others = [p for p in posts if p.author_id not in customers]
    series: dict[int, list[Engagement]] = defaultdict(list)
    for e in session.scalars(select(EngagementRow).where(EngagementRow.post_id.in_([p.id for p in own]))
                             .order_by(EngagementRow.observed_at)):
        series[e.post_id].append(_engagement(e))
    replies = [authenticity.Action(author_of(p.author), as_utc(p.created_at), p.text) for p in others]
    suspects = [p for p, s in zip(others, authenticity.action_scores(replies), strict=True)
                if s >= authenticity.SUSPECT]
    fake_replies = len(suspects)
    parts = [_PostRisk(p, series[p.id], now, [as_utc(r.created_at) for r in suspects
                                              if (r.platform, r.reply_to_id) == (p.platform, p.platform_id)])
             for p in own]
    main = max(parts, key=lambda r: (r.promotion.promoted, r.impressions_6h()), default=None)
    likes = sum(r.likes for r in parts)
    fake_likes = min(sum(r.fake_likes for r in parts), likes)
    engaged = likes + len(replies)
    fake_share = (fake_likes + fake_replies) / engaged if engaged else 0.0
    texts = []
    if fake_likes:
        texts.append(f"{round(100 * fake_likes / max(likes, 1))}% of likes bought (more likes than impressions allow)")
    if fake_replies:
        texts.append(f"{fake_replies} of {len(replies)} replies from suspected fake accounts")
    inputs = RiskInputs(
        severity=case.severity, followers=case.author.followers,
        promotion=main.promotion if main else promotion.Promotion(case.promoted, "flag" if case.promoted else "none"),
        forecast_6h=main.impressions_6h() if main else None,
        forecast_6h_low=main.impressions_6h("impressions_low") if main and main.forecast else None,
        forecast_6h_high=main.impressions_6h("impressions_high") if main and main.forecast else None,
        fake_share=fake_share, fake_text="; ".join(texts) or None, topics=list(case.topics or []),
        fake_interactions=main.fake_interactions if main else 0,
        fake_forecast_6h=main.fake_forecast_6h if main else 0.0,
        reach_now=main.now.describe() if main else None,
    )
    result = score(inputs)
    _store(session, case, result, inputs, main, now, max((r.genuine_audience for r in parts), default=None))
    return result


def _store(session: Session, case: CaseRow, result: RiskScore, inputs: RiskInputs, main: _PostRisk | None,
           now: datetime, audience: int | None) -> CaseRiskRow:
    """Write the case's risk row; `audience`: the largest genuine audience of the customer's posts, if any."""
    row = session.get(CaseRiskRow, case.id)
    if row is None:
        row = CaseRiskRow(case_id=case.id, alerted_at=None)
        session.add(row)
    row.score, row.summary, row.computed_at = result.score, result.summary, now
    row.factors = [{"name": f.name, "points": round(f.points, 1), "text": f.text} for f in result.factors]
    row.promoted = inputs.promotion.promoted
    row.forecast_6h = _int(inputs.forecast_6h)
    row.forecast_6h_low, row.forecast_6h_high = _int(inputs.forecast_6h_low), _int(inputs.forecast_6h_high)
    row.forecast_24h = _int(main.impressions(main.forecast_24h)) if main and main.forecast_24h else None
    row.fake_share = round(inputs.fake_share, 4)
    # The audience seen now, as reach counts it (`ReachNow`: followers or impressions, the larger), less only
    # views judged bought; never above the case's reach, nor below the author's own followers, who are real
    # whatever was bought.
    seen = case.reach if audience is None else audience
    row.genuine_reach = min(case.reach, max(case.author.followers, seen))
    return row


def _int(x: float | None) -> int | None:
    return None if x is None else round(x)


def alert_if_due(session: Session, case: CaseRow, row: CaseRiskRow, settings: Settings, now: datetime,
                 notifier: Notifier) -> bool:
    """Record and send one alert when a case first reaches its brand's risk line.

    Once across server processes: two batches (a webhook and a connector, say) may reassess the same case at the
    same moment, each having read that no alert went out. The mark is set by one conditional UPDATE, which waits
    for the other batch's lock on the row and then reads the row again, so only the batch that set it alerts."""
    if row.alerted_at is not None or not at_risk(row.score, settings.priority_for(case.brand)):
        return False
    session.flush()  # a first assessment inserts the row: it must be there to be marked
    marked = session.execute(update(CaseRiskRow).where(CaseRiskRow.case_id == case.id,
                                                       CaseRiskRow.alerted_at.is_(None)).values(alerted_at=now),
                             execution_options={"synchronize_session": False})
    if getattr(marked, "rowcount", 0) != 1:
        session.expire(row, ["alerted_at"])  # another batch alerted: read its mark when asked
        return False
    set_committed_value(row, "alerted_at", now)
    text = f"Risk {row.score:.0f}: {row.summary}"
    session.add(CaseEventRow(case_id=case.id, at=now, kind="risk", actor=ACTOR, text=text,
                             data={"score": row.score, "forecast_6h": row.forecast_6h, "promoted": row.promoted}))
    payload: dict[str, Any] = {"case_id": case.id, "brand": case.brand, "score": row.score, "summary": row.summary,
                               "handle": case.author.handle}
    notifier.notify("case.risk", payload, session)
    return True


def reassess(session: Session, case_ids: Collection[int], now: datetime, settings: Settings,
             notifier: Notifier) -> dict[int, float]:
    """Assess the given cases (and alert where due); their new scores."""
    out: dict[int, float] = {}
    for case in session.scalars(select(CaseRow).where(CaseRow.id.in_(list(case_ids)))):
        out[case.id] = assess(session, case, now).score
        row = session.get(CaseRiskRow, case.id)
        assert row is not None
        alert_if_due(session, case, row, settings, now, notifier)
    return out


def case_hook(settings: Callable[[], Settings], notifier: Notifier | None = None
              ) -> Callable[[Session, set[int], datetime], None]:
    """An `IngestService` case hook: `case_hooks=[risk.case_hook(lambda: service.settings, notifier)]`.

    `settings` is asked on every batch, so a brand policy a lead changes on the running desk applies at once."""
    chosen = notifier or RecordingNotifier()

    def hook(session: Session, case_ids: set[int], now: datetime) -> None:
        session.flush()
        reassess(session, case_ids, now, settings(), chosen)

    return hook
