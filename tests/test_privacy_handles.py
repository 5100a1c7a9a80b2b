"""An erasure finds the person where others name them without an @ (a distinctive handle in someone's thanks) and,
on Mastodon, where the handle is stored as `user@instance` but written as a profile link or a full mention, and
leaves what only looks like them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.models import Platform
from wakeful.desk import privacy
from wakeful.ingest.connectors.mastodon import status_to_post
from wakeful.store.models import AuthorRow, PostRow

from tests import privacy_scenario as sc
from tests.factories import T0, make_post

JANE = "jane_doe99@mastodon.social"
PROFILE = "https://mastodon.social/@jane_doe99"


def _status(sid: str, acct: str, html: str, minutes: int, mentions: list[dict[str, str]] | None = None,
            ) -> dict[str, Any]:
    user, _, instance = acct.partition("@")
    home = f"https://{instance or 'mastodon.social'}"
    return {"id": sid, "created_at": (T0 + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
            "content": html, "language": "en", "url": f"{home}/@{user}/{sid}", "mentions": mentions or [],
            "account": {"id": f"id-{acct}", "acct": acct, "username": user, "url": f"{home}/@{user}",
                        "uri": f"{home}/users/{user}", "followers_count": 40}}


def _mention(href: str, name: str) -> str:
    return f'<span class="h-card"><a href="{href}" class="u-url mention">@<span>{name}</span></a></span>'


def _texts(session: Any) -> dict[str, str]:
    return {handle: text for handle, text in session.execute(
        select(AuthorRow.handle, PostRow.text).join(PostRow, PostRow.author_id == AuthorRow.id))}


def test_a_mastodon_customer_is_erased_from_others_links_mentions_and_prose(desk: Desk) -> None:
    now = desk.clock.now()
    brand = _mention("https://mastodon.social/@AuroraAirways", "AuroraAirways")
    tagged = {"acct": JANE, "username": "jane_doe99", "url": PROFILE}
    desk.ingest.ingest([
        status_to_post(_status("111", JANE, f"<p>{brand} my bag never arrived in Lisbon</p>", 0), now),
        status_to_post(_status("112", "carl@chaos.social", f"<p>{brand} {_mention(PROFILE, 'jane_doe99')} same here, "
                                                           f"see {PROFILE}</p>", 1, [tagged]), now),
        status_to_post(_status("113", "jane_doe99@fosstodon.org", f"<p>{brand} my flight is late too</p>", 2), now),
        make_post("x1", "@AuroraAirways thanks to jane_doe99 for the tip about the form, not jane_doe999", minutes=3,
                  author="bob_b"),
        make_post("x2", "@AuroraAirways @jane_doe99@mastodon.social was right, write to "
                  "jane_doe99@mastodon.social", minutes=4, author="dora"),
    ])

    done = privacy.request_erasure(desk.db, Platform.MASTODON.value, handle="@jane_doe99@mastodon.social",
                                   account_id=None, requested_by="dpo", now=desk.clock.now())

    # carl's, bob's and dora's posts, and the raw profile of her namesake, whose bare username is hers too
    assert done.counts["posts"] == 1 and done.counts["mentions"] == 4
    with desk.db.session() as session:
        gone = session.scalars(select(AuthorRow).where(AuthorRow.erased_at.is_not(None))).one()
        pseudonym = f"erased-{gone.id}"
        texts = _texts(session)
        assert texts["bob_b"] == f"@AuroraAirways thanks to {pseudonym} for the tip about the form, not jane_doe999"
        assert texts["dora"] == f"@AuroraAirways @{pseudonym} was right, write to {pseudonym}"
        assert texts["carl@chaos.social"] == (f"@AuroraAirways @{pseudonym} same here, see "
                                              f"https://mastodon.social/@{pseudonym}")
        carl = session.scalars(select(PostRow).where(PostRow.platform_id == "112")).one()
        assert carl.raw["mentions"] == [{"acct": pseudonym, "username": pseudonym,
                                         "url": f"https://mastodon.social/@{pseudonym}"}]
        assert f'href="https://mastodon.social/@{pseudonym}"' in carl.raw["content"]
        # her namesake on another instance is someone else: their post, address and profile link stay
        other = session.scalars(select(PostRow).where(PostRow.platform_id == "113")).one()
        account = other.raw["account"]
        assert (account["acct"], account["url"], account["uri"]) == (
            "jane_doe99@fosstodon.org", "https://fosstodon.org/@jane_doe99", "https://fosstodon.org/users/jane_doe99")
        assert texts["jane_doe99@fosstodon.org"] == "@AuroraAirways my flight is late too"
        found = sc.traces(session, ("jane_doe99@mastodon.social", "mastodon.social/@jane_doe99",
                                    "mastodon.social/users/jane_doe99", "Lisbon"))
        assert found == []


def test_a_handle_that_is_a_common_word_stays_in_others_prose_and_a_distinctive_one_goes(desk: Desk) -> None:
    desk.ingest.ingest([
        make_post("x1", "@AuroraAirways where is my bag, please help", author="help"),
        make_post("x2", "@AuroraAirways my bag is gone too", minutes=1, author="jonas_k84"),
        make_post("x3", "@AuroraAirways can someone help me? thanks jonas_k84, cc @help", minutes=2, author="dora"),
    ])
    with desk.db.session() as session:
        help_, jonas = (session.scalars(select(PostRow.author_id).where(PostRow.platform_id == p)).one()
                        for p in ("x1", "x2"))
    for handle in ("help", "jonas_k84"):
        privacy.request_erasure(desk.db, "x", handle=handle, account_id=None, requested_by="dpo",
                                now=desk.clock.now())
    with desk.db.session() as session:
        assert _texts(session)["dora"] == \
            f"@AuroraAirways can someone help me? thanks erased-{jonas}, cc @erased-{help_}"
