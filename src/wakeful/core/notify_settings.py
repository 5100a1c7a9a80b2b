"""Where the desk's notifications (SLA warnings, on-call pages, risk alerts) go, per brand.

Part of `Settings` (`[notify]` in the TOML file, `WAKEFUL_NOTIFY__*` in the environment); a brand's own channels
sit under `[notify.brands.<key>]` (`WAKEFUL_NOTIFY__BRANDS__AURORA__SLACK_URL=…`) and replace the desk-wide ones
for that brand. Secrets (the webhook signing key, the Slack hook URL, which is itself a credential, and the SMTP
password) are `SecretStr`, so they never show in logs or reprs. The channels themselves are in `desk.notify`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, model_validator


class NotifyChannels(BaseModel):
    """One set of channels; a channel is on when its address is set."""

    webhook_url: str | None = Field(default=None, description="Receives signed JSON (X-Wakeful-Signature)")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 key the receiver checks")
    slack_url: SecretStr | None = Field(default=None, description="A Slack-compatible incoming-webhook URL")
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "wakeful@localhost"
    smtp_to: list[str] = Field(default_factory=list)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    attempts: int = Field(default=4, ge=1, description="Tries per channel before an event is dead-lettered")
    backoff_s: float = Field(default=1.0, ge=0, description="Wait before the second try; doubles each time")

    @model_validator(mode="after")
    def _complete(self) -> NotifyChannels:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("notify: webhook_url is set but webhook_secret is not: webhooks are signed")
        if self.smtp_host and not self.smtp_to:
            raise ValueError("notify: smtp_host is set but smtp_to names no recipient")
        return self

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url or self.slack_url or self.smtp_host)


class NotifySettings(NotifyChannels):
    """The desk-wide channels, and any brand's own (which replace them for that brand's events)."""

    brands: dict[str, NotifyChannels] = Field(default_factory=dict)

    def for_brand(self, brand: str | None) -> NotifyChannels:
        return self.brands.get(brand, self) if brand else self
