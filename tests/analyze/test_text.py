from __future__ import annotations

import pytest

from wakeful.analyze.text import content_free


@pytest.mark.parametrize("text", ["", "   ", "@united", "@united @delta", "@united https://t.co/x1", "www.example.com",
                                  "@united ?!", "@united …", "@united - @delta."])
def test_handles_links_and_bare_punctuation_are_no_content(text: str) -> None:
    assert content_free(text)


@pytest.mark.parametrize("text", ["@united :-(", ":)", "@united 👍", "@united ok", "#fail", "@united 2h",
                                  "user@mail.com"])
def test_words_emoticons_emoji_hashtags_and_numbers_are_content(text: str) -> None:
    assert not content_free(text)
