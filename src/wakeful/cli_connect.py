"""`wakeful connect PLATFORM`: run one platform connector in the foreground until interrupted."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from wakeful.core.settings import get_settings
from wakeful.ingest.connectors.base import ConnectorBase

PLATFORMS = ("x", "mastodon")


def connect(
    platform: Annotated[str, typer.Argument(help="x or mastodon")],
    connections: Annotated[int | None, typer.Option(help="Stop after this many connections (default: never)")] = None,
) -> None:
    """Listen on one platform, resuming from the cursor stored in the database; credentials come from settings."""
    from wakeful.api.app import build_desk

    settings = get_settings()
    desk = build_desk(settings)
    cfg = settings.connectors
    conn: ConnectorBase
    if platform == "x":
        from wakeful.ingest.connectors.x import XConnector

        if cfg.x.bearer_token is None:
            raise typer.BadParameter("set connectors.x.bearer_token (WAKEFUL_CONNECTORS__X__BEARER_TOKEN)")
        conn = XConnector("x", desk.ingest, cfg.x.bearer_token.get_secret_value(), settings.brands,
                          api_base_url=cfg.x.api_base_url)
    elif platform == "mastodon":
        from wakeful.ingest.connectors.mastodon import MastodonConnector

        m = cfg.mastodon
        conn = MastodonConnector("mastodon", desk.ingest, m.api_base_url,
                                 m.access_token.get_secret_value() if m.access_token else None, m.hashtag)
    else:
        raise typer.BadParameter(f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
    typer.echo(f"connecting to {platform} (cursor {conn.load_cursor() or 'none'})")
    with contextlib.suppress(KeyboardInterrupt):
        conn.run(max_connections=connections)
    h = conn.health
    typer.echo(f"delivered {h.delivered}, malformed {h.malformed}, errors {h.errors}")


def register(app: typer.Typer) -> None:
    """Add `wakeful connect` to the `wakeful` app."""
    app.command("connect")(connect)
