"""A Mastodon status's HTML `content` becomes the plain text its readers see, so analysis, brand matching and the
agent's view read words, not markup; the HTML stays in `raw`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from wakeful.api.deps import Desk
from wakeful.core.clock import FixedClock
from wakeful.ingest.connectors.html_text import html_to_text
from wakeful.ingest.connectors.mastodon import status_to_post
from wakeful.store.models import PostRow

from tests.factories import T0

# As Mastodon 4 serves them: a local and a remote mention, a hashtag, a long link shortened with invisible spans.
MENTION = ('<span class="h-card" translate="no"><a href="https://mastodon.social/@AuroraAirways" '
           'class="u-url mention">@<span>AuroraAirways</span></a></span>')
REMOTE = ('<span class="h-card" translate="no"><a href="https://fosstodon.org/@AuroraHelp" class="u-url mention">'
          '@<span>AuroraHelp</span></a></span>')
HASHTAG = ('<a href="https://mastodon.social/tags/LostLuggage" class="mention hashtag" rel="tag">'
           '#<span>LostLuggage</span></a>')
LINK = ('<a href="https://photos.example/album/2026/03/bag-damage?size=large&amp;id=7" target="_blank" '
        'rel="nofollow noopener noreferrer" translate="no"><span class="invisible">https://</span>'
        '<span class="ellipsis">photos.example/album/2026/03/ba</span><span class="invisible">g-damage?size=large'
        '&amp;id=7</span></a>')


def status(content: str) -> dict[str, Any]:
    return {"id": "110", "created_at": T0.isoformat().replace("+00:00", "Z"), "content": content, "language": "en",
            "url": "https://mastodon.social/@mira/110", "account": {"id": "9", "acct": "mira", "followers_count": 40}}


def test_mentions_hashtags_and_entities_read_as_a_client_shows_them() -> None:
    html = f"<p>{MENTION} {REMOTE} you lost my bag &amp; nobody answers &lt;3 days&gt; {HASHTAG}</p>"
    assert html_to_text(html) == "@AuroraAirways @AuroraHelp you lost my bag & nobody answers <3 days> #LostLuggage"


def test_paragraphs_and_line_breaks_are_kept_as_lines() -> None:
    html = "<p>Flight AU 12 cancelled.<br />Rebooked on AU 14<br>then nothing.</p><p>Still waiting.</p>"
    assert html_to_text(html) == "Flight AU 12 cancelled.\nRebooked on AU 14\nthen nothing.\n\nStill waiting."
    remote = "<p>Lost:</p><ul><li>a suitcase</li><li>a stroller</li></ul><blockquote><p>we will call</p></blockquote>"
    assert html_to_text(remote) == "Lost:\n\na suitcase\na stroller\n\nwe will call"


def test_a_link_keeps_its_whole_address_and_its_words() -> None:
    assert html_to_text(f"<p>damage: {LINK}</p>") == (
        "damage: https://photos.example/album/2026/03/bag-damage?size=large&id=7")  # not cut where the client cuts
    worded = '<p>see <a href="https://aurora.example/claims">the claims page</a></p>'
    assert html_to_text(worded) == "see the claims page (https://aurora.example/claims)"
    assert html_to_text('<p><a href="https://short.example/x">short.example/x…</a></p>') == "https://short.example/x"


def test_markup_that_is_not_text_is_dropped_and_plain_text_survives() -> None:
    assert html_to_text("<p>bag<script>alert(1)</script> lost</p><style>p{}</style>") == "bag lost"
    assert html_to_text("lost my bag #flyaurora") == "lost my bag #flyaurora"
    assert html_to_text("") == ""


def test_a_status_is_stored_as_text_its_brand_found_from_the_mention_alone(desk: Desk, clock: FixedClock) -> None:
    """The brand matcher used to find '@AuroraAirways' only inside the mention's href; the visible text has it."""
    content = f"<p>{MENTION} where is my suitcase? 3 days &amp; no answer</p><p>{LINK}</p>"
    post = status_to_post(status(content), clock.now())
    assert post.text == ("@AuroraAirways where is my suitcase? 3 days & no answer\n\n"
                         "https://photos.example/album/2026/03/bag-damage?size=large&id=7")
    assert post.raw["content"] == content
    assert desk.ingest.ingest([post]).accepted == 1
    with desk.db.session() as s:
        row = s.scalars(select(PostRow)).one()
    assert (row.text, row.brands, row.raw["content"]) == (post.text, ["aurora"], content)
    assert row.complaint and row.lang == "en"


def test_a_content_warning_is_read_with_the_post_it_folds(desk: Desk, clock: FixedClock) -> None:
    """A customer may put the subject behind a content warning ('spoiler_text', plain text): it is part of what
    the post says, so the desk reads and shows it."""
    folded = status(f"<p>{MENTION} three days now, nobody answers</p>") | {"spoiler_text": "Lost suitcase AU 2213 "}
    post = status_to_post(folded, clock.now())
    assert post.text == "Lost suitcase AU 2213\n\n@AuroraAirways three days now, nobody answers"
    assert status_to_post(status("<p>hi</p>") | {"spoiler_text": ""}, clock.now()).text == "hi"
    desk.ingest.ingest([post])
    with desk.db.session() as s:
        row = s.scalars(select(PostRow)).one()
    assert row.complaint and "lost_luggage" in row.topics
