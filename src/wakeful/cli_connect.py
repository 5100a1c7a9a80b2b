"""`wakeful connect PLATFORM`: run one platform's connectors in the foreground until interrupted.
`wakeful connectors`: where each connector stands, from the database, and what an operator must fix."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from sqlalchemy import select

from wakeful.cli_common import open_db
from wakeful.core.clock import as_utc
from wakeful.core.settings import get_settings
from wakeful.ingest.connectors.replies import ReplyDispatcher
from wakeful.ingest.connectors.runner import PLATFORMS, build_connectors, build_senders
from wakeful.store.connectors import ConnectorStateRow
from wakeful.store.db import Database

NEEDS = {
    "x": "set connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN)",
    "mastodon": "set connectors.mastodon.hashtag (WAKEFUL_CONNECTORS__MASTODON__HASHTAG) and/or "
                "connectors.mastodon.access_token (WAKEFUL_CONNECTORS__MASTODON__ACCESS_TOKEN)",
    "bluesky": "set connectors.bluesky.enabled = true (WAKEFUL_CONNECTORS__BLUESKY__ENABLED=true)",
    "reddit": "set connectors.reddit.client_id and client_secret (WAKEFUL_CONNECTORS__REDDIT__CLIENT_ID, "
              "WAKEFUL_CONNECTORS__REDDIT__CLIENT_SECRET) and subreddits or searches",
}


def connect(
    platform: Annotated[str, typer.Argument(help="x, mastodon, bluesky or reddit")],
    connections: Annotated[int | None, typer.Option(help="Stop after this many connections (default: never)")] = None,
) -> None:
    """Listen on one platform, resuming from the cursors stored in the database, and send queued replies.

    Exits 1, naming what to fix, when the platform rejected the credentials or a rule (while running, it tries
    again every 5 minutes). Credentials come from settings (wakeful.toml or WAKEFUL_CONNECTORS__* variables);
    see docs/connectors.md.
    """
    from wakeful.api.app import build_desk

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")  # retries, reasons
    if platform not in PLATFORMS:
        raise typer.BadParameter(f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    settings = get_settings()
    desk = build_desk(settings)
    conns = build_connectors(settings, desk.ingest, only=platform)
    if not conns:
        raise typer.BadParameter(f"{platform} is not configured: {NEEDS[platform]}")
    dispatcher = ReplyDispatcher(desk.db, desk.clock, build_senders(settings))
    for c in conns:
        typer.echo(f"connecting {c.name} (cursor {c.load_cursor() or 'none'})")
    threads = [threading.Thread(target=c.run, kwargs={"max_connections": connections}, daemon=True) for c in conns]
    for t in threads:
        t.start()
    primary = [t for c, t in zip(conns, threads, strict=True) if not getattr(c, "companion", False)]
    try:
        while any(t.is_alive() for t in threads):
            dispatcher.dispatch()
            if connections is not None and not any(t.is_alive() for t in primary):
                for c in conns:  # a metrics poller would otherwise sleep out its interval after the stream is done
                    c.stop()
            for t in threads:
                t.join(timeout=0.5 if connections is not None else 5.0)
    except KeyboardInterrupt:
        for c in conns:
            c.stop()
    for c in conns:
        h = c.health
        typer.echo(f"{c.name}: delivered {h.delivered}, malformed {h.malformed}, errors {h.errors}")
    mine = {c.name: c.health.needs_action for c in conns}
    problems = [r for r in stored_states(desk.db) if r.needs_action is not None and r.name in mine]
    for r in problems:  # e.g. rejected credentials: a script running `--connections N` must not pass them over,
        earlier = "" if mine[r.name] else " (found by an earlier run; not connected since)"  # nor a timeout after
        typer.echo(f"{r.name}: {r.action_message}{earlier}", err=True)
    if problems:
        raise typer.Exit(1)


def stored_states(db: Database) -> list[ConnectorStateRow]:
    """Every connector's stored state, by name."""
    with db.session() as s:
        return list(s.scalars(select(ConnectorStateRow).order_by(ConnectorStateRow.name)))


def connectors() -> None:
    """Each connector's stored state (as on the Settings page) and what an operator must fix.

    Read from the database, so it shows connectors run by `wakeful serve` and `wakeful connect` alike. Exits 1
    when one waits for an operator (rejected credentials, a refused rule), so a monitoring check can page on it."""
    db = open_db()
    try:
        rows = stored_states(db)
    finally:
        db.dispose()
    if not rows:
        typer.echo("no connector has run yet (see docs/connectors.md)")
        return
    for r in rows:
        last = as_utc(r.last_event_at).strftime("%Y-%m-%d %H:%M UTC") if r.last_event_at else "none yet"
        state = f"NEEDS ACTION ({r.needs_action})" if r.needs_action else "ok"
        typer.echo(f"{r.name} ({r.platform}, brands {', '.join(r.brands or ['all'])}): {state}; last post {last}, "
                   f"posts {r.events}, errors {r.errors}")
        if r.needs_action:
            typer.echo(f"  fix: {r.action_message}")
        if r.last_error and r.last_error != r.action_message:
            typer.echo(f"  last error: {r.last_error}")
    if any(r.needs_action for r in rows):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `wakeful connect` and `wakeful connectors` to the `wakeful` app."""
    app.command("connect")(connect)
    app.command("connectors")(connectors)
