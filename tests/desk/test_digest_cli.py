"""The morning report as people read it: chat gets its text, and `wakeful report --digest` prints the same text
for a lead to preview, or sends it (once, like the scheduled job)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from wakeful import cli_reports
from wakeful.api.deps import Desk
from wakeful.cli import app
from wakeful.core.clock import FixedClock
from wakeful.core.notify_settings import NotifySettings

from tests.desk.digest_data import DAY, EIGHT, SECRET, ZONE, ServerFactory, fill_day, reports, tick
from tests.desk.loopback import Receiver

DIGEST = ["report", "--digest", "--brand", "aurora", "--day", DAY.isoformat()]


@pytest.fixture
def cli_at(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The CLI's clock, at 08:00 in Berlin on the day after the report's day; the desk's zone is Berlin's."""
    clock = FixedClock(EIGHT)
    monkeypatch.setattr(cli_reports, "clock", clock)
    monkeypatch.setenv("WAKEFUL_REPORT_TIMEZONE", ZONE)
    return clock


def _channel_env(monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> None:
    for name, value in (("WEBHOOK_URL", receiver.url), ("WEBHOOK_SECRET", SECRET), ("BACKOFF_S", "0")):
        monkeypatch.setenv(f"WAKEFUL_NOTIFY__BRANDS__AURORA__{name}", value)


def test_slack_gets_the_reports_text_not_its_json(desk: Desk, servers: ServerFactory, receiver: Receiver) -> None:
    fill_day(desk)
    slack = NotifySettings.model_validate({"brands": {"aurora": {"slack_url": receiver.url + "/slack"}}})
    tick(servers(EIGHT, notify=slack), EIGHT)
    texts = [json.loads(body)["text"] for _, body in receiver.requests]
    [text] = [t for t in texts if "Report: /reports?" in t]
    lines = text.splitlines()
    assert lines[0].startswith("Aurora Airways, Monday 2 March 2026: 13 posts, 13 new cases, SLA met ")
    assert lines[1:3] == ["Posts 13 (100% negative), complaints 13", "Cases 13 opened, 10 answered, 1 resolved"]
    # Slack reads "<1k" as the start of a link: sent escaped, as its docs ask
    assert any(line.startswith("Reach bands: customers with &lt;1k followers waited ") for line in lines)
    assert "```" not in text and "{" not in text and len(lines) <= 10


def test_the_cli_prints_the_text_the_channels_get(desk: Desk, servers: ServerFactory, receiver: Receiver,
                                                  cli_runner: CliRunner, cli_at: FixedClock) -> None:
    fill_day(desk)
    tick(servers(EIGHT), EIGHT)
    [(_, sent)] = reports(receiver)
    result = cli_runner.invoke(app, DIGEST)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == sent["payload"]["message"]
    every_brand = cli_runner.invoke(app, ["report", "--digest"])  # yesterday, each brand (the CLI runs Aurora)
    assert every_brand.exit_code == 0, every_brand.output
    assert every_brand.output.strip() == sent["payload"]["message"]


def test_the_cli_sends_it_once_and_the_scheduled_job_then_sends_nothing(
        desk: Desk, servers: ServerFactory, receiver: Receiver, cli_runner: CliRunner, cli_at: FixedClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fill_day(desk)
    _channel_env(monkeypatch, receiver)
    cli_at.set(EIGHT - timedelta(hours=2))  # a lead sends it before the scheduled time
    first = cli_runner.invoke(app, [*DIGEST, "--send"])
    assert first.exit_code == 0, first.output
    assert "webhook: delivered at 2026-03-03 05:00 UTC" in first.output
    [(_, body)] = reports(receiver)
    assert body["payload"]["message"] in first.output
    again = cli_runner.invoke(app, [*DIGEST, "--send"])
    assert again.exit_code == 0, again.output
    assert "not sent again: aurora's report for 2026-03-02 was sent already" in again.output
    tick(servers(EIGHT), EIGHT)
    assert len(reports(receiver)) == 1


def test_sending_without_a_channel_fails_and_says_what_to_set(desk: Desk, cli_runner: CliRunner,
                                                             cli_at: FixedClock) -> None:
    fill_day(desk)
    result = cli_runner.invoke(app, [*DIGEST, "--send"])
    assert result.exit_code == 1
    assert "not sent: aurora has no notification channel (set [notify] or [notify.brands.aurora])" in result.output


def test_the_cli_refuses_a_bad_day_an_unfinished_one_to_send_and_options_without_digest(
        desk: Desk, cli_runner: CliRunner, cli_at: FixedClock) -> None:
    bad = cli_runner.invoke(app, ["report", "--digest", "--day", "2026-02-30"])
    assert bad.exit_code == 2 and "'2026-02-30' is not a date: give YYYY-MM-DD" in bad.output
    today = cli_runner.invoke(app, ["report", "--digest", "--day", "2026-03-03", "--send"])
    assert today.exit_code == 2 and "2026-03-03 has not ended yet" in today.output
    preview = cli_runner.invoke(app, ["report", "--digest", "--day", "2026-03-03"])
    assert preview.exit_code == 0 and "(today so far, in Europe/Berlin)" in preview.output
    alone = cli_runner.invoke(app, ["report", "--day", "2026-03-02"])
    assert alone.exit_code == 2 and "--day and --send go with --digest" in alone.output
