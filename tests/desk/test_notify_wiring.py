"""The server's notifier comes from the settings: each brand's escalations and pages reach its own channels (or
the desk-wide ones), signed, from the ingest routing hook and the scheduled SLA job, on loopback receivers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from wakeful.analyze import Analyzer
from wakeful.api.app import build_desk, run_jobs
from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings
from wakeful.core.settings import Settings
from wakeful.desk import agents
from wakeful.desk.agents import parse_shifts
from wakeful.desk.channels import SIGNATURE_HEADER, verify
from wakeful.desk.notify import BrandNotifier, dead_letters
from wakeful.store.db import migrate

from tests.desk.loopback import Inbox, Receiver
from tests.desk_fixtures import BRANDS
from tests.factories import T0, make_post

SECRET = "desk-wide-signing-key"
LOST = "@AuroraAirways you lost my bag on AU 2213, nobody answers. Still waiting for my suitcase!"
NORD = "@NordRail mein Zug nach Hamburg ist ausgefallen und niemand hilft mir, das ist eine Frechheit!"


def test_notify_settings_come_from_env_and_toml_per_brand_with_secrets_hidden(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "wakeful.toml"
    toml.write_text('[notify]\nwebhook_url = "https://hooks.example.test/wakeful"\n'
                    '[notify.brands.aurora]\nsmtp_host = "mail.example.test"\nsmtp_to = ["lead@aurora.test"]\n')
    monkeypatch.setenv("WAKEFUL_CONFIG", str(toml))
    monkeypatch.setenv("WAKEFUL_NOTIFY__WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WAKEFUL_NOTIFY__BRANDS__AURORA__SMTP_PASSWORD", "mail-pass")
    notify = Settings().notify
    assert notify.webhook_secret is not None and notify.webhook_secret.get_secret_value() == SECRET
    aurora = notify.for_brand("aurora")
    assert aurora.smtp_host == "mail.example.test" and aurora.webhook_url is None
    assert aurora.smtp_password is not None and aurora.smtp_password.get_secret_value() == "mail-pass"
    assert notify.for_brand("nordrail").webhook_url == "https://hooks.example.test/wakeful"
    assert SECRET not in repr(notify) and "mail-pass" not in repr(notify)


def test_a_webhook_without_its_secret_stops_the_settings_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAKEFUL_NOTIFY__BRANDS__AURORA__WEBHOOK_URL", "https://hooks.example.test/x")
    with pytest.raises(ValueError, match="webhook_secret is not"):
        Settings()


@pytest.fixture
def wired(database_url: str, analyzer: Analyzer, receiver: Receiver,
          smtp: tuple[Inbox, int]) -> Iterator[tuple[Desk, BrandNotifier]]:
    """A server desk whose settings send Aurora's events to Slack and e-mail, everyone else's to a signed hook."""
    notify = NotifySettings.model_validate({
        "webhook_url": receiver.url, "webhook_secret": SECRET, "backoff_s": 0,
        "brands": {"aurora": {"slack_url": receiver.url + "/slack", "smtp_host": "127.0.0.1", "smtp_port": smtp[1],
                              "smtp_to": ["lead@aurora.test"], "backoff_s": 0}},
    })
    settings = Settings(database_url=database_url, brands=BRANDS, notify=notify,
                        first_response_target_minutes=[20, 20, 20, 20])
    migrate(database_url)
    desk = build_desk(settings, clock=FixedClock(T0), analyzer=analyzer)
    assert isinstance(desk.notifier, BrandNotifier), "the server must use the configured notifier"
    yield desk, desk.notifier
    desk.notifier.close()
    desk.db.dispose()


def test_sla_warnings_from_the_server_job_reach_each_brands_own_channels(
        wired: tuple[Desk, BrandNotifier], receiver: Receiver, smtp: tuple[Inbox, int]) -> None:
    desk, notifier = wired
    desk.ingest.ingest([make_post("a1", LOST, author="hasan"), make_post("n1", NORD, author="jonas")])
    assert isinstance(desk.clock, FixedClock)
    desk.clock.set(T0 + timedelta(minutes=16))  # 80% of the 20-minute target
    run_jobs(desk)
    notifier.drain()
    slack = [json.loads(body)["text"] for headers, body in receiver.requests if SIGNATURE_HEADER not in headers]
    signed = [(headers, body) for headers, body in receiver.requests if SIGNATURE_HEADER in headers]
    assert len(slack) == 1 and slack[0].startswith("[wakeful] sla.warning: brand aurora"), receiver.requests
    [(headers, body)] = signed
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert json.loads(body)["payload"]["brand"] == "nordrail"
    [mail] = smtp[0].messages
    assert mail.rcpt_tos == ["lead@aurora.test"]
    run_jobs(desk)  # told once per timer and stage, however often the job runs
    notifier.drain()
    assert len(receiver.requests) == 2 and len(smtp[0].messages) == 1
    assert dead_letters(desk.db) == []


def test_a_page_from_the_ingest_routing_hook_is_delivered_and_a_dead_hook_is_dead_lettered(
        wired: tuple[Desk, BrandNotifier], receiver: Receiver, smtp: tuple[Inbox, int]) -> None:
    desk, notifier = wired
    with desk.db.session() as s:  # Aurora is staffed, but nobody is on shift at 09:00 on a Monday
        agents.add_agent(s, "aurora", "ana", T0, languages=["en"], shifts=parse_shifts("mon-fri 18:00-23:00"))
        agents.add_oncall(s, "aurora", "olga", T0 - timedelta(hours=1), T0 + timedelta(hours=8))
    receiver.statuses = [500] * 4  # the Slack hook is down for all four tries
    desk.ingest.ingest([make_post("a1", LOST, author="hasan")])
    notifier.drain()
    [mail] = smtp[0].messages
    assert b"oncall.page" in mail.content and b"olga" in mail.content  # type: ignore[operator]
    [dead] = dead_letters(desk.db)
    assert (dead.channel, dead.event, dead.attempts) == ("slack", "oncall.page", 4)
    assert dead.payload["agent"] == "olga" and dead.last_error and dead.last_error.startswith("HTTP 500")
