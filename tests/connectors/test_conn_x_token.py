"""The brand's X user token is renewed with its refresh token when X answers 401 or it is about to expire, and the
rotated pair survives a restart (X spends a refresh token on each renewal)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from wakeful.core.clock import FixedClock
from wakeful.ingest.connectors.replies import Outgoing, SendError
from wakeful.ingest.connectors.x import XReplySender
from wakeful.ingest.connectors.x_auth import XUserToken

from tests.connectors.loopback import Request, http_server

UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


class X:
    """Valid access tokens and refresh tokens; each refresh spends one refresh token and issues a new pair."""

    def __init__(self) -> None:
        self.seen: list[Request] = []
        self.access, self.refresh, self.issued = {"fresh-0"}, {"refresh-0"}, 0

    def route(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        if req.path == "/2/oauth2/token":
            form = req.form()
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh:
                return 400, {"error": "invalid_request", "error_description": "Value passed for the token was "
                                                                              "invalid."}, {}
            self.refresh.discard(form["refresh_token"])
            self.issued += 1
            self.access.add(f"fresh-{self.issued}")
            self.refresh.add(f"refresh-{self.issued}")
            return 200, {"token_type": "bearer", "expires_in": 7200, "access_token": f"fresh-{self.issued}",
                         "scope": "tweet.read tweet.write users.read offline.access",
                         "refresh_token": f"refresh-{self.issued}"}, {}
        if req.path == "/2/tweets":
            if req.headers.get("Authorization", "").removeprefix("Bearer ") not in self.access:
                return 401, UNAUTHORIZED, {}
            return 201, {"data": {"id": f"19{len(self.seen)}", "text": req.json()["text"]}}, {}
        return 404, {}, {}

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.seen if r.path == path]


REPLY = Outgoing(id=1, platform="x", text="We are on it", in_reply_to="1001")


def _token(base: str, tmp_path: Path, clock: FixedClock, access: str = "expired") -> XUserToken:
    return XUserToken(access, refresh_token="refresh-0", client_id="app-id", client_secret="app-secret",
                      token_file=tmp_path / "x-token.json", api_base_url=base, clock=clock)


def test_an_expired_user_token_is_renewed_and_the_reply_still_goes_out(tmp_path: Path) -> None:
    x, clock = X(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with http_server(x.route, x.seen) as base:
        sender = XReplySender(_token(base, tmp_path, clock), base)
        assert sender.send(REPLY)
        [refresh] = x.calls("/2/oauth2/token")
        assert refresh.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-0", "client_id": "app-id"}
        assert refresh.headers["Authorization"] == "Basic " + base64.b64encode(b"app-id:app-secret").decode()
        refused, sent = x.calls("/2/tweets")
        assert (refused.headers["Authorization"], sent.headers["Authorization"]) == ("Bearer expired",
                                                                                       "Bearer fresh-1")
        assert oct((tmp_path / "x-token.json").stat().st_mode & 0o777) == "0o600"

        # A restart with the same configuration: refresh-0 is spent, so the renewed pair comes from the file.
        again = XReplySender(_token(base, tmp_path, clock), base)
        assert again.send(REPLY)
        assert len(x.calls("/2/oauth2/token")) == 1 and x.calls("/2/tweets")[-1].headers["Authorization"] == \
            "Bearer fresh-1"

        # Close to the two-hour expiry the token is renewed before sending, with the rotated refresh token.
        clock.advance(timedelta(hours=2) - timedelta(seconds=30))
        assert again.send(REPLY)
        assert x.calls("/2/oauth2/token")[-1].form()["refresh_token"] == "refresh-1"
        assert x.calls("/2/tweets")[-1].headers["Authorization"] == "Bearer fresh-2"


def test_a_refused_renewal_fails_the_reply_for_good_and_says_why(tmp_path: Path) -> None:
    x, clock = X(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    x.refresh.clear()  # the refresh token was revoked
    with http_server(x.route, x.seen) as base:
        with pytest.raises(SendError, match="authorise the brand account again") as err:
            XReplySender(_token(base, tmp_path, clock), base).send(REPLY)
        assert err.value.permanent
        with pytest.raises(SendError, match="HTTP 401") as plain:
            XReplySender("expired", base).send(REPLY)  # no refresh token configured: X's own refusal
        assert plain.value.permanent
