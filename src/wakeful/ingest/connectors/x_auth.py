"""The brand account's X OAuth 2.0 user token, kept valid for replies.

X issues user access tokens for two hours. With the `offline.access` scope it also issues a refresh token, which
buys a new pair at `POST /2/oauth2/token` (grant_type=refresh_token) and is then spent: X rotates it on every
refresh. So the new pair is written to a token file (owner-only, replaced atomically) and read back at the next
start, where the configured refresh token may already have been spent (the file names the configured token it
descends from, so authorising the account again and configuring the new token wins over the file). Without a
refresh token and client id the configured access token is used as it is, and replies fail once it expires.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from wakeful.core.clock import Clock, SystemClock, as_utc
from wakeful.ingest.connectors.replies import SendError

EARLY = timedelta(minutes=2)  # refresh this long before the recorded expiry, so a send never races it


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None


class XUserToken:
    """The current user access token, refreshed when it is about to expire or X answers 401."""

    def __init__(self, access_token: str, *, refresh_token: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, token_file: Path | None = None,
                 api_base_url: str = "https://api.x.com", clock: Clock | None = None) -> None:
        self.client_id, self.client_secret, self.token_file = client_id, client_secret, token_file
        self.clock = clock or SystemClock()
        self.http = httpx.Client(base_url=api_base_url.rstrip("/"), timeout=30.0)
        self._lock = threading.Lock()
        self.origin = hashlib.sha256((refresh_token or access_token).encode()).hexdigest()
        self.pair = self._saved() or TokenPair(access_token, refresh_token, None)

    @property
    def can_refresh(self) -> bool:
        return bool(self.pair.refresh_token and self.client_id)

    def header(self) -> dict[str, str]:
        """The Authorization header, after a refresh if the token is (nearly) expired."""
        expires = self.pair.expires_at
        if self.can_refresh and expires is not None and self.clock.now() >= expires - EARLY:
            self.refresh(self.pair.access_token)
        return {"Authorization": f"Bearer {self.pair.access_token}"}

    def refresh(self, stale: str) -> None:
        """Trade the refresh token for a new pair, unless another thread already replaced `stale`."""
        with self._lock:
            if self.pair.access_token != stale:
                return
            if not self.can_refresh:
                raise SendError("X user token expired and no refresh token and client id are configured "
                                "([connectors.x] user_refresh_token, client_id)", permanent=True)
            form = {"grant_type": "refresh_token", "refresh_token": self.pair.refresh_token or "",
                    "client_id": self.client_id or ""}
            basic = httpx.BasicAuth(self.client_id or "", self.client_secret) if self.client_secret else None
            try:
                r = (self.http.post("/2/oauth2/token", data=form, auth=basic) if basic
                     else self.http.post("/2/oauth2/token", data=form))
            except httpx.HTTPError as e:
                raise SendError(f"X token refresh failed: {e}") from e
            if r.status_code >= 500 or r.status_code == 429:
                raise SendError(f"X token refresh: HTTP {r.status_code}")
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
            if r.status_code >= 400 or "access_token" not in body:
                raise SendError(f"X token refresh refused (HTTP {r.status_code}): {str(body)[:200]}; "
                                "authorise the brand account again", permanent=True)
            expires_in = body.get("expires_in")
            self.pair = TokenPair(str(body["access_token"]), str(body.get("refresh_token") or self.pair.refresh_token),
                                  self.clock.now() + timedelta(seconds=float(expires_in)) if expires_in else None)
            self._save()

    def _saved(self) -> TokenPair | None:
        if self.token_file is None or not self.token_file.is_file():
            return None
        data = json.loads(self.token_file.read_text(encoding="utf-8"))
        if data.get("origin") != self.origin:
            return None
        expires = data.get("expires_at")
        return TokenPair(data["access_token"], data.get("refresh_token"),
                         as_utc(datetime.fromisoformat(expires)) if expires else None)

    def _save(self) -> None:
        if self.token_file is None:
            return
        self.token_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.token_file.with_name(self.token_file.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"origin": self.origin, "access_token": self.pair.access_token,
                       "refresh_token": self.pair.refresh_token,
                       "expires_at": self.pair.expires_at.isoformat() if self.pair.expires_at else None}, fh)
        os.replace(tmp, self.token_file)
