"""`wakeful connect x --connections 1` run as an operator runs it, against a fake X on loopback."""

from __future__ import annotations

import threading

import pytest
from click.testing import Result
from typer.testing import CliRunner

from wakeful.cli import app
from wakeful.core.settings import get_settings

from tests.connectors.loopback import Route, http_server


def connect_x_once(monkeypatch: pytest.MonkeyPatch, database_url: str, route: Route, token: str) -> Result:
    """The command's result; it must end by itself (the longest back-off is not slept after the last
    connection), within a minute."""
    result: list[Result] = []
    with http_server(route) as base:
        for k, v in {"DATABASE_URL": database_url, "CONNECTORS__X__BEARER_TOKEN": token,
                     "CONNECTORS__X__API_BASE_URL": base, "CONNECTORS__X__METRICS_INTERVAL_S": "3600"}.items():
            monkeypatch.setenv(f"WAKEFUL_{k}", v)
        get_settings.cache_clear()
        runner = threading.Thread(target=lambda: result.append(CliRunner().invoke(
            app, ["connect", "x", "--connections", "1"])), daemon=True)
        runner.start()
        runner.join(timeout=60)
        get_settings.cache_clear()
    assert not runner.is_alive(), "wakeful connect waited out the back-off"
    return result[0]
