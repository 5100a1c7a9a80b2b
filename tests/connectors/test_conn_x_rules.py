"""What the X connector listens for, when X refuses it, against a loopback server speaking X API v2's rules and
recent-search wire format: a refused filtered-stream rule (a 200 whose `errors` name the rule and `meta.summary`
counts it invalid, creating none of its batch, as X may), a 400 for a batch, and a 400 for a recent-search query.

Each is one clear error naming the brand, the rule and X's reason, kept on the connector's status; it is not sent
again before a restart, and the other brands' rules are still listened to.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from wakeful.api.deps import Desk
from wakeful.core.settings import BrandConfig
from wakeful.ingest.connectors.base import MAX_BACKOFF_S
from wakeful.ingest.connectors.x import XConnector, brand_rule, refused_rules

from tests.connectors.loopback import Request, http_server, stored_ids
from tests.connectors.test_conn_x_resume import tweet, users
from tests.desk_fixtures import BRANDS

RULES = "/2/tweets/search/stream/rules"
SENT = "2026-03-02T09:00:00.000Z"
OPERATOR = ("Reference to invalid operator 'status'. Operator is not available in current product or product "
            "packaging. Please refer to complete available operator list at https://developer.twitter.com/en/docs/"
            "twitter-api/enterprise/rules-and-filtering/operators-by-product.")
INVALID_REQUEST = {"title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                   "type": "https://api.twitter.com/2/problems/invalid-request"}
# A brand whose keyword reads to X as an operator it does not know
NORDRAIL = BrandConfig(key="nordrail", name="Nord Rail", handles=["NordRail"], names=["Nord Rail"],
                       keywords=["status:late"])
LONG = BrandConfig(key="longhaul", name="Long Haul", handles=["LongHaul"],
                   keywords=[f"longhaul{n:03d}" for n in range(60)])


class RulesX:
    """X's rule store and validation, recent search (empty, or refusing queries as `search_refuses` says) and a
    stream that sends `stream` once."""

    def __init__(self) -> None:
        self.rules: list[dict[str, str]] = []
        self.posts: list[Any] = []
        self.seen: list[Request] = []
        self.stream: list[str] = []
        self.search_refuses: str | None = None

    def add(self, add: list[dict[str, str]]) -> tuple[int, Any, dict[str, str]]:
        if any(len(r["value"]) > 512 for r in add):
            bad = next(i for i, r in enumerate(add) if len(r["value"]) > 512)
            return 400, {**INVALID_REQUEST, "errors": [{
                "parameters": {f"add[{bad}].value": [add[bad]["value"]]},
                "message": f"Rule length exceeds the maximum of 512 characters: {len(add[bad]['value'])}"}]}, {}
        invalid = [r for r in add if "status:" in r["value"]]
        if invalid:  # none of the batch is created
            errors = [{"value": r["value"], "title": "UnprocessableEntity",
                       "details": [f"{OPERATOR} (at position {r['value'].index('status:') + 1})"],
                       "type": "https://api.twitter.com/2/problems/invalid-rules"} for r in invalid]
            return 200, {"meta": {"sent": SENT, "summary": {"created": 0, "not_created": len(add),
                                                            "valid": len(add) - len(invalid),
                                                            "invalid": len(invalid)}}, "errors": errors}, {}
        created = [{"id": str(1900000000000000000 + len(self.rules) + i), **r} for i, r in enumerate(add)]
        self.rules += created
        return 201, {"data": created, "meta": {"sent": SENT, "summary": {"created": len(add), "not_created": 0,
                                                                         "valid": len(add), "invalid": 0}}}, {}

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == RULES and req.method == "POST":
            self.posts.append(req.json())
            return self.add(req.json().get("add", []))
        if req.path == RULES:
            return 200, ({"data": self.rules, "meta": {"sent": SENT, "result_count": len(self.rules)}} if self.rules
                         else {"meta": {"sent": SENT, "result_count": 0}}), {}
        if req.path == "/2/tweets/search/recent":
            if self.search_refuses and self.search_refuses in req.query["query"]:
                return 400, {**INVALID_REQUEST, "errors": [{
                    "parameters": {"query": [req.query["query"]]},
                    "message": f"There were errors processing your request: {OPERATOR} (at position 30)"}]}, {}
            return 200, {"meta": {"result_count": 0}}, {}
        if req.path == "/2/tweets/search/stream":
            lines, self.stream = self.stream, []
            return 200, "".join(line + "\r\n" for line in lines).encode(), {}
        return 404, {"title": "Not Found Error", "detail": req.path}, {}

    def added(self) -> list[list[str]]:
        return [[r["tag"] for r in body.get("add", [])] for body in self.posts]


def run(desk: Desk, fake: RulesX, brands: list[BrandConfig], connections: int = 2, cursor: str | None = None
        ) -> tuple[XConnector, list[float]]:
    sleeps: list[float] = []
    with http_server(fake.route, fake.seen) as base:
        conn = XConnector("x", desk.ingest, "x-secret", brands, api_base_url=base)
        if cursor is not None:
            conn.deliver([], cursor)
            conn.cursor = cursor
        conn.run(max_connections=connections, sleep=sleeps.append)
        conn.http.close()
    return conn, sleeps


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_refused_rule_is_reported_and_the_other_brands_still_listened_to(
        desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
    fake = RulesX()
    fake.stream = [json.dumps({"data": tweet(1), "includes": {"users": users(1)},
                               "matching_rules": [{"id": "1900000000000000000", "tag": "aurora"}]})]
    with caplog.at_level(logging.INFO, logger="wakeful.ingest.connectors.base"):
        conn, sleeps = run(desk, fake, [BRANDS[0], NORDRAIL])

    assert [r["tag"] for r in fake.rules] == ["aurora"]
    assert fake.added() == [["aurora", "nordrail"], ["aurora"]]  # the rest once more; nordrail's never again
    assert stored_ids(desk, "x") == ["1001"] and sleeps == []
    value = brand_rule(NORDRAIL)
    expected = (f"rule rejected by X: fix the handles, names or keywords of brand nordrail and restart. X refused "
                f"brand nordrail's stream rule `{value}`: UnprocessableEntity: {OPERATOR} (at position "
                f"{value.index('status:') + 1}).")
    assert conn.health.needs_action == expected and conn.health.last_error == expected
    assert errors_logged(caplog) == [f"x: {expected}"]  # once, though both connections still have it


def test_with_every_rule_refused_it_waits_the_longest_and_never_streams(desk: Desk) -> None:
    fake = RulesX()
    conn, sleeps = run(desk, fake, [NORDRAIL])
    assert sleeps == [MAX_BACKOFF_S]
    assert fake.added() == [["nordrail"]]
    assert not [r for r in fake.seen if r.path == "/2/tweets/search/stream"]
    assert (conn.health.needs_action or "").startswith("rule rejected by X: fix the handles, names or keywords of "
                                                       "brand nordrail and restart. X refused brand nordrail's")
    assert conn.health.errors == 2


def test_a_batch_x_answers_400_is_narrowed_to_the_rule_at_fault(desk: Desk) -> None:
    fake = RulesX()
    conn, _ = run(desk, fake, [BRANDS[0], LONG], connections=1)
    assert fake.added() == [["aurora", "longhaul"], ["aurora"], ["longhaul"]]
    assert [r["tag"] for r in fake.rules] == ["aurora"]
    error = conn.health.needs_action or ""
    assert error.startswith("rule rejected by X: fix the handles, names or keywords of brand longhaul and restart. "
                            "X refused brand longhaul's stream rule `@LongHaul OR from:LongHaul OR longhaul000")
    assert error.endswith(f"…`: Rule length exceeds the maximum of 512 characters: {len(brand_rule(LONG))}.")


def test_a_query_recent_search_refuses_is_reported_and_not_searched_again(desk: Desk) -> None:
    fake = RulesX()
    fake.search_refuses = "AuroraAirways"
    conn, sleeps = run(desk, fake, [BRANDS[0]], cursor="1000")
    searches = [r for r in fake.seen if r.path == "/2/tweets/search/recent"]
    streams = [r for r in fake.seen if r.path == "/2/tweets/search/stream"]
    assert len(searches) == 1 and len(streams) == 2 and sleeps == []
    assert conn.health.needs_action == (
        f"rule rejected by X: fix the handles, names or keywords of brand aurora and restart. X recent search "
        f"refused brand aurora's query `{brand_rule(BRANDS[0])}`, so its gaps are not back-filled: There were "
        f"errors processing your request: {OPERATOR} (at position 30).")


def test_a_duplicate_is_not_refused_and_the_rule_cap_refuses_the_batch() -> None:
    add = [{"value": "@AuroraAirways", "tag": "aurora"}, {"value": "@NordRail", "tag": "nordrail"}]
    duplicate = {"meta": {"sent": SENT, "summary": {"created": 1, "not_created": 1, "valid": 1, "invalid": 1}},
                 "errors": [{"value": "@NordRail", "id": "1166895166390583299", "title": "DuplicateRule",
                             "type": "https://api.twitter.com/2/problems/duplicate-rules"}]}
    assert refused_rules(duplicate, add) == {}
    cap = {"meta": {"sent": SENT, "summary": {"created": 0, "not_created": 2, "valid": 2, "invalid": 0}},
           "errors": [{"title": "RulesCapExceeded", "detail": "You have exceeded the maximum number of rules.",
                       "type": "https://api.twitter.com/2/problems/rule-cap"}]}
    reason = "RulesCapExceeded: You have exceeded the maximum number of rules."
    assert refused_rules(cap, add) == {"aurora": reason, "nordrail": reason}
