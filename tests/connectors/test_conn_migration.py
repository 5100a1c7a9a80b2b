"""Migration 0017 on both databases: a desk whose connectors' need for an operator was only how `last_error` began
("credentials rejected …", "rule rejected …") gets it in its own columns, and a downgrade puts it back there."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, inspect, text

from wakeful.store.db import alembic_config

CREDENTIALS = ("credentials rejected by X: fix connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN) and "
               "restart. X said HTTP 401 on GET /2/tweets/search/stream/rules: Unauthorized")
RULE = ("rule rejected by Reddit: fix connectors.reddit.subreddits (WAKEFUL_CONNECTORS__REDDIT__SUBREDDITS) (drop "
        "r/secretcrew, or give the account access) and restart; meanwhile nothing else is polled. Reddit refused "
        "r/secretcrew: private (HTTP 403 on GET /r/secretcrew/new).")
ROWS = {
    "x": CREDENTIALS,
    "reddit": RULE,
    "masto": "ReadTimeout: timed out",  # a passing error
    "bsky": "PlatformError: HTTP 502 on GET /subscribe: credentials rejected by the upstream",  # not at the start
    "x-metrics": "Credentials rejected by a proxy",  # not how the connectors write it: the old check saw case
    "quiet": None,
}


def test_0017_moves_the_action_out_of_the_last_errors_prefix_and_back(database_url: str) -> None:
    cfg = alembic_config(database_url)
    command.upgrade(cfg, "0016_rejected_resolved")
    command.upgrade(cfg, "0009_connectors2")  # connector_state's branch, as a desk of the version before has it
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for name, error in ROWS.items():
                conn.execute(text("INSERT INTO connector_state (name, platform, updated_at, events, errors, "
                                  "last_error) VALUES (:name, 'x', :at, 0, 1, :error)"),
                             {"name": name, "at": datetime(2026, 3, 2, tzinfo=UTC), "error": error})
        command.upgrade(cfg, "0017_connector_action")
        with engine.connect() as conn:
            got = {r.name: (r.needs_action, r.action_message, r.last_error) for r in conn.execute(
                text("SELECT name, needs_action, action_message, last_error FROM connector_state"))}
        assert got == {"x": ("credentials", CREDENTIALS, CREDENTIALS), "reddit": ("rule", RULE, RULE),
                       **{name: (None, None, error) for name, error in ROWS.items() if name not in ("x", "reddit")}}

        with engine.begin() as conn:  # a timeout after the refusal: the old schema's only place for it is lost
            conn.execute(text("UPDATE connector_state SET last_error = 'ConnectError: refused' WHERE name = 'x'"))
        command.downgrade(cfg, "0016_rejected_resolved")
        columns = {c["name"] for c in inspect(engine).get_columns("connector_state")}
        assert "needs_action" not in columns and "action_message" not in columns and "brands" in columns
        with engine.connect() as conn:
            back = {r.name: r.last_error for r in conn.execute(text("SELECT name, last_error FROM connector_state"))}
        assert back == {**ROWS, "x": CREDENTIALS}  # put back where the older version looks for it
    finally:
        engine.dispose()
