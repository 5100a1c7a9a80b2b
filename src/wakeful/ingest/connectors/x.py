"""X API v2: the filtered stream (chunked HTTP, one JSON object per line, blank keep-alive lines) with rules built
from the brand's handles and keywords, and recent search from the saved since-id to back-fill a disconnect.

Written against X's documented wire protocol with httpx because tweepy's StreamingClient hard-codes
api.twitter.com, so it cannot be pointed at a loopback test server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import select

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.core.settings import BrandConfig
from wakeful.desk.cases import CaseState
from wakeful.ingest.connectors.base import (
    ConnectorBase,
    NeedsOperator,
    check,
    read_json,
    reason_of,
    seen_now,
    utcnow,
)
from wakeful.ingest.connectors.replies import Outgoing, check_response
from wakeful.ingest.connectors.x_auth import XUserToken
from wakeful.ingest.service import IngestService
from wakeful.store.connectors import RULE_REJECTED, Action
from wakeful.store.models import CasePostRow, CaseRow, PostRow

log = logging.getLogger(__name__)

FIELDS = {"tweet.fields": "created_at,lang,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,"
                          "author_id,note_tweet,edit_history_tweet_ids",
          "expansions": "author_id", "user.fields": "public_metrics,verified,created_at"}
RULES = "/2/tweets/search/stream/rules"
CREDENTIALS = "connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN)"


class RuleRejected(NeedsOperator):
    """X refused what a brand listens for: a filtered-stream rule or a recent-search query. Its message is the
    whole line the operator reads (brand, rule, X's reason), or, from recent search, X's reason alone."""


def brand_rule(brand: BrandConfig) -> str:
    """One filtered-stream rule per brand: mentions of its handles, its handles' own posts, and its keywords."""
    terms = [f"@{h}" for h in brand.handles] + [f"from:{h}" for h in brand.handles]
    terms += [k if k.startswith("#") or " " not in k else f'"{k}"' for k in brand.keywords + brand.names]
    return " OR ".join(dict.fromkeys(terms))[:1024]


def tweet_to_post(tweet: dict[str, Any], users: dict[str, dict[str, Any]], observed_at: datetime | None = None
                  ) -> Post:
    """A v2 tweet plus its expanded author as a `Post`; raises KeyError/ValueError/ValidationError otherwise.

    A post over 280 characters comes with `text` cut short and the whole of it in `note_tweet.text`. An edit is a
    new tweet whose `edit_history_tweet_ids` starts with the original's id: it becomes that post, edited when the
    new tweet was created (its own id stays in `raw`), so the desk keeps one post with the newest text."""
    user = users.get(tweet["author_id"], {"id": tweet["author_id"], "username": tweet["author_id"]})
    um = user.get("public_metrics") or {}
    tm = tweet.get("public_metrics") or {}
    replied = next((r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"), None)
    created_at = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
    history = [str(i) for i in tweet.get("edit_history_tweet_ids") or []]
    original = history[0] if history else str(tweet["id"])
    return Post(
        platform=Platform.X, id=original, edited_at=created_at if original != str(tweet["id"]) else None,
        text=(tweet.get("note_tweet") or {}).get("text") or tweet["text"],
        created_at=created_at, lang=tweet.get("lang"),
        reply_to_id=replied, conversation_id=tweet.get("conversation_id"),
        url=f"https://x.com/{user['username']}/status/{tweet['id']}",
        author=Author(id=str(user["id"]), handle=user["username"], display_name=user.get("name"),
                      followers=int(um.get("followers_count") or 0), following=int(um.get("following_count") or 0),
                      verified=bool(user.get("verified"))),
        engagement=Engagement(observed_at=max(observed_at, created_at) if observed_at else seen_now(created_at),
                              likes=int(tm.get("like_count") or 0),
                              reposts=int(tm.get("retweet_count") or 0), replies=int(tm.get("reply_count") or 0),
                              quotes=int(tm.get("quote_count") or 0), impressions=tm.get("impression_count")),
        raw=tweet,
    )


def problem_reason(problem: dict[str, Any]) -> str:
    """X's words for one problem: its title, then `details` (a list, for a refused rule), `detail` or `message`."""
    details = problem.get("details")
    said = "; ".join(map(str, details)) if isinstance(details, list) and details else None
    words = [str(w) for w in (problem.get("title"), said or problem.get("detail") or problem.get("message")) if w]
    return " ".join(": ".join(words).split())[:600] or "no reason given"


def refused_rules(body: Any, add: list[dict[str, str]]) -> dict[str, str]:
    """Brand key -> X's reason, for the rules of `add` that a 200/201 from POST …/rules lists in `errors`.

    A duplicate (the app has a rule of that value already) is not refused: the stream matches it all the same. A
    problem naming no value (the rule cap) refuses the whole batch, as does a count of invalid rules with no
    errors at all."""
    if not isinstance(body, dict):
        return {}
    refused: dict[str, str] = {}
    errors = body.get("errors")
    errors = errors if isinstance(errors, list) else []
    for e in errors:
        if not isinstance(e, dict) or "duplicate" in str(e.get("type", "")) or e.get("title") == "DuplicateRule":
            continue
        for a in add:
            if e.get("value") is None or a["value"] == e.get("value"):
                refused.setdefault(a["tag"], problem_reason(e))
    summary = (body.get("meta") or {}).get("summary") or {}
    if not errors and int(summary.get("invalid") or 0) > 0:
        refused = {a["tag"]: "counted invalid (X gave no reason)" for a in add}
    return refused


def _quoted(value: str, limit: int = 120) -> str:
    return f"`{value if len(value) <= limit else value[:limit] + '…'}`"


class XConnector(ConnectorBase):
    """Filtered stream for the brands' rules; the cursor is the largest tweet id delivered (ids grow with time)."""

    platform = Platform.X
    credentials = CREDENTIALS

    def __init__(self, name: str, ingest: IngestService, bearer_token: str, brands: list[BrandConfig],
                 api_base_url: str = "https://api.x.com") -> None:
        super().__init__(name, ingest)
        self.rules = {b.key: brand_rule(b) for b in brands}
        self.http = httpx.Client(base_url=api_base_url.rstrip("/"), timeout=30.0,
                                 headers={"Authorization": f"Bearer {bearer_token}"})
        self.cursor = self.load_cursor()
        self.refused: dict[str, str] = {}
        """Brand key -> X's reason, for stream rules X refused: rules come from settings, so one is not sent again
        before a restart, and stays reported meanwhile."""
        self.unsearchable: dict[str, str] = {}
        """Brand key -> X's reason, for rules recent search refused as a query: their gaps cannot be back-filled."""

    def sync_rules(self) -> None:
        """Add the brands' rules the stream lacks and delete ours that changed, tagged by brand key (rules that
        others added without a tag are left alone). With every rule refused there is nothing to listen to."""
        body = read_json(self.http.get(RULES), self.now())
        have = {x.get("tag"): x for x in body.get("data") or [] if x.get("tag") in self.rules}
        stale = [x["id"] for tag, x in have.items() if x["value"] != self.rules[tag]]
        if stale:
            check(self.http.post(RULES, json={"delete": {"ids": stale}}), self.now())
        add = [{"value": v, "tag": k} for k, v in self.rules.items()
               if (k not in have or have[k]["id"] in stale) and k not in self.refused]
        if add:
            self._add_rules(add)
        if self.rules and self.refused.keys() >= self.rules.keys():
            raise RuleRejected(self.standing_problem() or RULE_REJECTED)

    def _add_rules(self, add: list[dict[str, str]]) -> None:
        """POST new rules. X answers 200/201 naming the rules it refused in `errors`, and may then create none of
        the rest, so those are sent once more on their own; a 400 for a batch is narrowed down rule by rule."""
        for _ in range(2):
            r = self.http.post(RULES, json={"add": add})
            if r.status_code == 400:
                if len(add) > 1:
                    for one in add:
                        self._add_rules([one])
                else:
                    self.refused[add[0]["tag"]] = "; ".join(_invalid_params(r).values()) or reason_of(r)
                return
            body = read_json(r, self.now())
            refused = refused_rules(body, add)
            if not refused:
                return
            self.refused.update(refused)
            rest = [a for a in add if a["tag"] not in refused]
            if not rest or int(((body.get("meta") or {}).get("summary") or {}).get("created") or 0) >= len(rest):
                return
            made = {d.get("value") for d in body.get("data") or [] if isinstance(d, dict)}
            add = [a for a in rest if a["value"] not in made]
            if not add:
                return

    def standing_problem(self) -> str | None:
        """The rules X refused, by brand, with X's reasons: the operator fixes the brand's terms and restarts."""
        if not self.refused and not self.unsearchable:
            return None
        brands = ", ".join(dict.fromkeys([*self.refused, *self.unsearchable]))
        said = [f"X refused brand {k}'s stream rule {_quoted(self.rules[k])}: {why}."
                for k, why in self.refused.items()]
        said += [f"X recent search refused brand {k}'s query {_quoted(self.rules[k])}, so its gaps are not "
                 f"back-filled: {why}." for k, why in self.unsearchable.items()]
        fix = f"fix the handles, names or keywords of brand {brands} and restart"
        return f"{RULE_REJECTED} by X: {fix}. {' '.join(said)}"

    def _posts(self, payload: Any) -> list[Post]:
        """The tweets of a stream line or search page; a malformed one is reported and skipped."""
        try:
            users = {u["id"]: u for u in (payload.get("includes") or {}).get("users") or []}
            tweets = payload["data"] if isinstance(payload["data"], list) else [payload["data"]]
        except (AttributeError, KeyError, TypeError) as e:
            self.report_malformed(payload, f"no 'data' in X payload: {e}")
            return []
        posts: list[Post] = []
        for t in tweets:
            try:
                posts.append(tweet_to_post(t, users, observed_at=self.now()))
            except (KeyError, TypeError, ValueError, ValidationError) as e:
                self.report_malformed(t, f"not an X tweet: {e}")
        return posts

    def _newer(self, posts: list[Post], than: str | None) -> str | None:
        """The largest tweet id among `posts` (an edit's own id, not its original's) when it is past `than`."""
        ids = (str(p.raw.get("id", p.id)) for p in posts)
        best = max((int(i) for i in ids if i.isdigit()), default=None)
        return str(best) if best is not None and (than is None or best > int(than)) else None

    def _accept(self, payload: Any) -> None:
        posts = self._posts(payload)
        moved = self._newer(posts, self.cursor)
        self.deliver(posts, moved)
        self.cursor = moved or self.cursor

    def _search(self, rule: str, since: str) -> Iterator[Any]:
        """Recent-search pages for `rule` newer than `since`, newest first, following next_token.

        Recent search reaches back seven days and answers 400 for a since_id older than that; the connector was
        then down for over a week, so it takes what the window still holds instead of failing forever."""
        window = {"since_id": since}
        token: str | None = None
        for _ in range(100):
            params = {"query": rule, "max_results": "100", **window, **FIELDS}
            if token:
                params["next_token"] = token
            r = self.http.get("/2/tweets/search/recent", params=params)
            invalid = _invalid_params(r) if r.status_code == 400 else {}
            if "query" in invalid:
                raise RuleRejected(invalid["query"])
            if "since_id" in window and "since_id" in invalid:
                start = self.now() - timedelta(days=7) + timedelta(minutes=10)
                window = {"start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ")}
                self.health.extra["gap_before"] = window["start_time"]
                log.warning("%s: since_id %s is past recent search's 7 days; tweets before %s are lost",
                            self.name, since, window["start_time"])
                continue
            body = read_json(r, self.now())
            yield body
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return

    def backfill(self) -> None:
        """Recent search since the cursor for every brand rule. Pages come newest first, so the cursor moves only
        once every page of every rule is stored: moved earlier, a failure on a later page would skip the rest.
        A query recent search refuses is not searched again (before a restart); the other brands' still are."""
        if self.cursor is None:
            return
        best = self.cursor
        for key, rule in self.rules.items():
            if key in self.refused or key in self.unsearchable:
                continue
            try:
                for body in self._search(rule, self.cursor):
                    posts = self._posts(body) if body.get("data") else []
                    best = self._newer(posts, best) or best
                    self.deliver(posts, None)
            except RuleRejected as e:
                self.unsearchable[key] = str(e)
        if best != self.cursor:
            self.deliver([], best)
            self.cursor = best

    def run_once(self) -> None:
        self.sync_rules()
        self.backfill()
        problem = self.standing_problem()
        if problem is not None:  # some brands' rules were refused: the others' are still listened to
            self.report_action(problem, Action.RULE)
        with self.http.stream("GET", "/2/tweets/search/stream", params=FIELDS,
                              timeout=httpx.Timeout(30.0, read=60.0)) as r:
            check(r, self.now())
            self.mark_connected()
            for line in r.iter_lines():
                if not line.strip():
                    continue  # keep-alive
                try:
                    payload = json.loads(line)
                except ValueError as e:
                    self.report_malformed(line, f"stream line is not JSON: {e}")
                    continue
                self._accept(payload)


def _invalid_params(r: httpx.Response) -> dict[str, str]:
    """Parameter -> X's message, for the parameters a 400 is about (each error lists its own under `parameters`)."""
    try:
        errors = r.json().get("errors") or []
    except (ValueError, AttributeError):
        return {}
    return {str(p): " ".join(str(e.get("message") or "invalid").split())[:600]
            for e in errors if isinstance(e, dict) and isinstance(e.get("parameters"), dict) for p in e["parameters"]}


class XReplySender:
    """Replies as the brand: POST /2/tweets with reply.in_reply_to_tweet_id, using the brand's user token, which
    is refreshed (once per send) when X says it has expired."""

    def __init__(self, user_token: XUserToken | str, api_base_url: str = "https://api.x.com") -> None:
        self.token = user_token if isinstance(user_token, XUserToken) else XUserToken(user_token)
        self.http = httpx.Client(base_url=api_base_url.rstrip("/"), timeout=30.0)

    def send(self, reply: Outgoing) -> str:
        body = {"text": reply.text, "reply": {"in_reply_to_tweet_id": reply.in_reply_to}}
        headers = self.token.header()
        r = self.http.post("/2/tweets", json=body, headers=headers)
        if r.status_code == 401 and self.token.can_refresh:
            self.token.refresh(headers["Authorization"].removeprefix("Bearer "))
            r = self.http.post("/2/tweets", json=body, headers=self.token.header())
        check_response(r, utcnow())
        return str(r.json()["data"]["id"])


class XMetricsPoller(ConnectorBase):
    """Re-reads the public metrics (likes, reposts, replies, quotes, impressions) of the tweets in open cases.

    Each reading goes through the ingest path as a repeat delivery, which appends it to the post's engagement
    series and raises the case's reach: the curve the risk forecasts read. Non-public and organic metrics exist
    only for the brand's own tweets, which are not customer posts, so only `public_metrics` is requested.
    """

    platform = Platform.X
    credentials = CREDENTIALS
    companion = True
    """It reads for the other connectors' posts: `wakeful connect --connections N` stops it when they are done."""

    def __init__(self, name: str, ingest: IngestService, bearer_token: str, api_base_url: str = "https://api.x.com",
                 interval_s: float = 300.0, sleep: Callable[[float], None] | None = None) -> None:
        super().__init__(name, ingest)
        self.http = httpx.Client(base_url=api_base_url.rstrip("/"), timeout=30.0,
                                 headers={"Authorization": f"Bearer {bearer_token}"})
        self.interval_s, self.sleep = interval_s, sleep or self.pause

    def open_tweet_ids(self) -> list[str]:
        active = [CaseState.NEW.value, CaseState.OPEN.value, CaseState.WAITING.value]
        with self.ingest.db.session() as s:
            return sorted(set(s.scalars(
                select(PostRow.platform_id).join(CasePostRow, CasePostRow.post_id == PostRow.id)
                .join(CaseRow, CaseRow.id == CasePostRow.case_id)
                .where(PostRow.platform == Platform.X.value, CaseRow.state.in_(active)))))

    def poll(self) -> int:
        """One reading of every open case's tweets, 100 ids per request (the endpoint's limit)."""
        ids, read = self.open_tweet_ids(), 0
        for i in range(0, len(ids), 100):
            body = read_json(self.http.get("/2/tweets", params={"ids": ",".join(ids[i:i + 100]), **FIELDS}), self.now())
            users = {u["id"]: u for u in (body.get("includes") or {}).get("users") or []}
            now = self.now()
            posts: list[Post] = []
            for t in body.get("data") or []:
                try:
                    posts.append(tweet_to_post(t, users, observed_at=now))
                except (KeyError, TypeError, ValueError, ValidationError) as e:
                    self.report_malformed(t, f"not an X tweet: {e}")
            self.deliver(posts, None)
            read += len(posts)
        return read

    def run_once(self) -> None:
        self.poll()
        self.mark_connected()
        self.sleep(self.interval_s)
