"""Build the connectors and reply senders that settings configure, and run them beside the server.

`wakeful serve` starts a `ConnectorRunner` (one thread per connector plus the reply dispatcher) only when at
least one platform is configured; `wakeful connect PLATFORM` runs one platform's connectors in the foreground.
The reply dispatcher also runs as a scheduled desk job, so a reply on a platform with no connector is recorded as
"not sent" even on a desk that listens to none.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from wakeful.core.settings import BrandConfig, Settings
from wakeful.ingest.connectors.base import ConnectorBase, backoff_delay
from wakeful.ingest.connectors.mastodon import MastodonConnector, MastodonReplySender
from wakeful.ingest.connectors.reddit import RedditAuth, RedditConnector, RedditReplySender
from wakeful.ingest.connectors.replies import ReplyDispatcher, ReplySender
from wakeful.ingest.connectors.x import XConnector, XMetricsPoller, XReplySender
from wakeful.ingest.connectors.x_auth import XUserToken
from wakeful.ingest.service import IngestService

log = logging.getLogger(__name__)

PLATFORMS = ("x", "mastodon", "bluesky", "reddit")


def _brands(settings: Settings, keys: list[str]) -> list[BrandConfig]:
    return [b for b in settings.brands if not keys or b.key in keys]


def build_connectors(settings: Settings, ingest: IngestService, only: str | None = None) -> list[ConnectorBase]:
    """The listeners settings configure (all platforms, or `only` one); each knows the brands it serves."""
    cfg = settings.connectors
    out: list[tuple[ConnectorBase, list[str]]] = []
    if cfg.x.configured and only in (None, "x") and cfg.x.bearer_token is not None:
        token = cfg.x.bearer_token.get_secret_value()
        out.append((XConnector("x", ingest, token, _brands(settings, cfg.x.brands), cfg.x.api_base_url), cfg.x.brands))
        out.append((XMetricsPoller("x-metrics", ingest, token, cfg.x.api_base_url, cfg.x.metrics_interval_s),
                    cfg.x.brands))
    m = cfg.mastodon
    if m.configured and only in (None, "mastodon"):
        account = m.access_token.get_secret_value() if m.access_token else None
        if m.hashtag:
            out.append((MastodonConnector("mastodon", ingest, m.api_base_url, account, m.hashtag), m.brands))
        if account and m.notifications:
            out.append((MastodonConnector("mastodon-mentions", ingest, m.api_base_url, account, None, mentions=True),
                        m.brands))
    b = cfg.bluesky
    if b.configured and only in (None, "bluesky"):
        from wakeful.ingest.connectors.bluesky import BlueskyConnector  # atproto takes seconds to import

        out.append((BlueskyConnector("bluesky", ingest, _brands(settings, b.brands), b.jetstream_url, b.appview_url,
                                     b.watch_handles), b.brands))
    r = cfg.reddit
    if r.configured and only in (None, "reddit"):
        out.append((RedditConnector("reddit", ingest, _reddit_auth(settings), r.subreddits, r.searches, r.oauth_url,
                                    r.www_url, r.poll_interval_s), r.brands))
    for conn, keys in out:
        conn.brands = keys or None
    return [conn for conn, _ in out]


def _reddit_auth(settings: Settings) -> RedditAuth:
    r = settings.connectors.reddit
    assert r.client_id is not None and r.client_secret is not None
    return RedditAuth(r.www_url, r.client_id, r.client_secret.get_secret_value(), r.user_agent, r.username,
                      r.password.get_secret_value() if r.password else None)


def build_senders(settings: Settings) -> dict[str, ReplySender]:
    """A reply sender for each platform whose brand-account credentials are configured."""
    cfg = settings.connectors
    senders: dict[str, ReplySender] = {}
    x = cfg.x
    if x.user_access_token is not None:
        token = XUserToken(x.user_access_token.get_secret_value(),
                           refresh_token=x.user_refresh_token.get_secret_value() if x.user_refresh_token else None,
                           client_id=x.client_id,
                           client_secret=x.client_secret.get_secret_value() if x.client_secret else None,
                           token_file=x.token_file, api_base_url=x.api_base_url)
        senders["x"] = XReplySender(token, x.api_base_url)
    if cfg.mastodon.access_token is not None:
        senders["mastodon"] = MastodonReplySender(cfg.mastodon.api_base_url,
                                                  cfg.mastodon.access_token.get_secret_value())
    if cfg.bluesky.handle and cfg.bluesky.app_password is not None:
        from wakeful.ingest.connectors.bluesky import BlueskyReplySender

        senders["bluesky"] = BlueskyReplySender(cfg.bluesky.pds_url, cfg.bluesky.handle,
                                                cfg.bluesky.app_password.get_secret_value())
    if cfg.reddit.configured and cfg.reddit.username and cfg.reddit.password is not None:
        senders["reddit"] = RedditReplySender(_reddit_auth(settings), cfg.reddit.oauth_url)
    return senders


def reply_job(settings: Settings) -> Callable[[Any, datetime], None]:
    """A scheduled desk job that drains the reply queue; senders are built once, on first use."""
    dispatchers: list[ReplyDispatcher] = []

    def send_replies(desk: Any, now: datetime) -> None:
        if not dispatchers:
            dispatchers.append(ReplyDispatcher(desk.db, desk.clock, build_senders(settings)))
        dispatchers[0].dispatch()

    return send_replies


class ConnectorRunner:
    """Runs each connector in a daemon thread, restarting it after anything unexpected, and drains replies."""

    def __init__(self, connectors: list[ConnectorBase], dispatcher: ReplyDispatcher | None = None,
                 reply_interval_s: float = 5.0) -> None:
        self.connectors, self.dispatcher, self.reply_interval_s = connectors, dispatcher, reply_interval_s
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def _keep_running(self, conn: ConnectorBase) -> None:
        attempt = 0
        while not self.stopping.is_set():
            try:
                conn.run()
            except Exception as e:
                log.exception("connector %s stopped; restarting", conn.name)
                conn.record_error(f"{type(e).__name__}: {e}")
                attempt += 1
                self.stopping.wait(backoff_delay(attempt))

    def _drain_replies(self) -> None:
        assert self.dispatcher is not None
        while not self.stopping.wait(self.reply_interval_s):
            try:
                self.dispatcher.dispatch()
            except Exception:
                log.exception("reply dispatch failed; retrying in %.0fs", self.reply_interval_s)

    def start(self) -> None:
        for conn in self.connectors:
            log.info("starting connector %s", conn.name)
            self.threads.append(threading.Thread(target=self._keep_running, args=(conn,), daemon=True,
                                                 name=f"connector-{conn.name}"))
        if self.dispatcher is not None:
            self.threads.append(threading.Thread(target=self._drain_replies, daemon=True, name="reply-dispatcher"))
        for t in self.threads:
            t.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        for conn in self.connectors:
            conn.stop()
        for t in self.threads:
            t.join(timeout)


def start_connectors(settings: Settings, ingest: IngestService) -> ConnectorRunner | None:
    """Start what settings configure under `wakeful serve`; None when no platform is configured."""
    connectors = build_connectors(settings, ingest)
    senders = build_senders(settings)
    if not connectors and not senders:
        return None
    dispatcher = ReplyDispatcher(ingest.db, ingest.clock, senders)
    runner = ConnectorRunner(connectors, dispatcher, settings.connectors.reply_interval_s)
    runner.start()
    return runner
