"""Platform connector settings (`[connectors.*]` in wakeful.toml, `WAKEFUL_CONNECTORS__*` in the environment).

Secrets are `SecretStr`, so they never appear in logs, reprs or error messages. A connector runs under
`wakeful serve` only when `configured` says it has what it needs, so a fresh install never opens a stream by
accident (the public Mastodon timeline or Bluesky's whole firehose would flood the desk).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class XConnectorConfig(BaseModel):
    """X API v2 app credentials (filtered stream and recent search need a Bearer token)."""

    bearer_token: SecretStr | None = None
    user_access_token: SecretStr | None = Field(
        default=None, description="OAuth 2.0 user token of the brand account (tweet.read tweet.write users.read): "
                                  "needed to reply, and to read non-public metrics of the brand's own posts")
    user_refresh_token: SecretStr | None = Field(
        default=None, description="Refresh token issued with the user token (scope offline.access): the user token "
                                  "lasts two hours, and with this and client_id the desk renews it")
    client_id: str | None = Field(default=None, description="OAuth 2.0 client id of the app (for refreshing)")
    client_secret: SecretStr | None = Field(default=None, description="OAuth 2.0 client secret (confidential apps)")
    token_file: Path = Field(default=Path("var/x-user-token.json"), description="Where renewed user tokens are "
                             "kept (owner-only): X spends a refresh token on each renewal")
    api_base_url: str = "https://api.x.com"
    metrics_interval_s: float = Field(default=300.0, gt=0, description="How often open cases' metrics are polled")
    brands: list[str] = Field(default_factory=list, description="Brand keys served; empty: every brand")

    @property
    def configured(self) -> bool:
        return self.bearer_token is not None


class MastodonConnectorConfig(BaseModel):
    """One Mastodon instance and the hashtag to follow (the public timeline when empty)."""

    api_base_url: str = "https://mastodon.social"
    access_token: SecretStr | None = None
    hashtag: str | None = None
    notifications: bool = Field(default=True, description="With an access token, also stream the brand account's "
                                                          "mentions (the user notifications stream)")
    brands: list[str] = Field(default_factory=list)

    @property
    def configured(self) -> bool:
        return self.access_token is not None or bool(self.hashtag)


class BlueskyConnectorConfig(BaseModel):
    """Jetstream for listening (no credentials), the AppView for profiles, the brand's PDS account for replies."""

    enabled: bool = False
    jetstream_url: str = "wss://jetstream2.us-east.bsky.network"
    appview_url: str = "https://public.api.bsky.app"
    pds_url: str = "https://bsky.social"
    watch_handles: list[str] = Field(default_factory=list, description="Bluesky handles of the brands, e.g. "
                                     "auroraairways.bsky.social; posts that @-mention them are taken in")
    handle: str | None = Field(default=None, description="The brand account that replies")
    app_password: SecretStr | None = None
    brands: list[str] = Field(default_factory=list)

    @property
    def configured(self) -> bool:
        return self.enabled


class RedditConnectorConfig(BaseModel):
    """A Reddit 'script' app: client id/secret, plus the brand account's login to reply."""

    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    user_agent: str = "wakeful/0.1 (customer care desk)"
    subreddits: list[str] = Field(default_factory=list, description="Subreddits whose new posts and comments "
                                                                    "are taken in, without r/")
    searches: list[str] = Field(default_factory=list, description="Site-wide searches, newest first")
    oauth_url: str = "https://oauth.reddit.com"
    www_url: str = "https://www.reddit.com"
    poll_interval_s: float = Field(default=30.0, gt=0)
    brands: list[str] = Field(default_factory=list)

    @property
    def configured(self) -> bool:
        return self.client_id is not None and self.client_secret is not None


class ConnectorsConfig(BaseModel):
    """Platform credentials; secrets are `SecretStr` so they never appear in logs or reprs."""

    x: XConnectorConfig = Field(default_factory=XConnectorConfig)
    mastodon: MastodonConnectorConfig = Field(default_factory=MastodonConnectorConfig)
    bluesky: BlueskyConnectorConfig = Field(default_factory=BlueskyConnectorConfig)
    reddit: RedditConnectorConfig = Field(default_factory=RedditConnectorConfig)
    reply_interval_s: float = Field(default=5.0, gt=0, description="How often queued replies are sent")
