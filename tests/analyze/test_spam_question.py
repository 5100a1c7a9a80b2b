from __future__ import annotations

import pytest

from wakeful.analyze.question import is_question
from wakeful.analyze.spam import is_spam


@pytest.mark.parametrize(
    "text",
    [
        "Follow back for follow back!! #aurora",
        "Get free followers now, click here https://spam.example/x",
        "Huge crypto giveaway, join now",
        "Win a free iPhone! crypto airdrop",
        "#a #b #c #d #e #f promo https://x.co/1",
        "links https://a.co/1 https://b.co/2 https://c.co/3 best deals free",
    ],
)
def test_spam(text: str) -> None:
    assert is_spam(text)


@pytest.mark.parametrize(
    "text",
    [
        "@AuroraAirways my bag never arrived",
        "Is the giveaway on your site real?",  # one weak sign only
        "Free wifi on board was great",
        "my flight https://a.co/1 #delay",
    ],
)
def test_not_spam(text: str) -> None:
    assert not is_spam(text)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Where is my bag?", "en"),
        ("@AuroraHelp @AuroraAirways how do I claim compensation", "en"),
        ("can you rebook me on the next flight", "en"),
        ("Wo ist mein Koffer", "de"),
        ("Wann fliegt der nächste Flug", "de"),
        ("Pourquoi mon vol est annulé", "fr"),
        ("Où est ma valise", "fr"),
        ("any update on AU123", None),
    ],
)
def test_questions(text: str, lang: str | None) -> None:
    assert is_question(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("My bag never arrived at Heathrow.", "en"),
        ("Can't believe you lost my bag again", "en"),
        ("Do not fly Aurora", "en"),
        ("Was delayed three hours", "en"),  # 'Was' opens a German question, not an English one
        ("see https://aurora.example/status?flight=AU123", "en"),
        ("Flug verspätet", "de"),
    ],
)
def test_not_questions(text: str, lang: str | None) -> None:
    assert not is_question(text, lang)
