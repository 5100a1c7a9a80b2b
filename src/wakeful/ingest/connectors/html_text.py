"""A Mastodon status's HTML `content` as the plain text its readers see.

Analysis, brand matching, the case view and suggested replies all read `Post.text`; stored as HTML, a post read
`<p><span class="h-card"><a href=…>@<span>AuroraAirways</span></a></span> lost my bag &amp; …</p>`, so its
language, sentiment and topics were guessed from markup, and agents were shown tags. Converted as Mastodon's own
plain-text formatter and clients do: paragraphs apart by a blank line, `<br>` a line break, entities unescaped, a
mention or hashtag as its visible `@user` / `#tag`, and a link as its whole address (Mastodon hides part of a long
one in `invisible` spans; a remote server's link with other words keeps both, as `words (address)`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
_LINE = {"li", "dt", "dd"}
_LINE_END, _PARAGRAPH, _BR = "\x01", "\x02", "\x03"  # break marks while parsing; control characters no post keeps
_SKIP = {"script", "style", "template", "noscript"}  # removed by Mastodon's sanitizer; their text is no text


class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.link: tuple[str, bool, list[str]] | None = None  # href, mention or hashtag, its text so far
        self.skip = 0
        self.pre = 0

    def _emit(self, text: str) -> None:
        (self.link[2] if self.link is not None else self.out).append(text)

    def _break(self, mark: str) -> None:
        """A line break (`_LINE_END`, `_PARAGRAPH` or `_BR`), merged with its neighbours in `text`."""
        self._emit(mark)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._break(_BR)
        elif tag in _BLOCK or tag in _LINE:
            self._break(_PARAGRAPH if tag in _BLOCK else _LINE_END)
            if tag == "pre":
                self.pre += 1
        elif tag == "a" and self.link is None:
            found = dict(attrs)
            classes = (found.get("class") or "").split()
            self.link = (found.get("href") or "", "mention" in classes or "hashtag" in classes, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK or tag in _LINE:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._break(_PARAGRAPH if tag in _BLOCK else _LINE_END)
        elif tag == "a" and self.link is not None:
            href, tagged, parts = self.link
            self.link = None
            self._emit(_link_text(href, tagged, "".join(parts)))

    def handle_data(self, data: str) -> None:
        if not self.skip:
            data = re.sub("[\x01-\x03]", "", data)  # no text may pass for a break mark
            self._emit(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        if self.link is not None:  # an unclosed <a>: its text is still text
            self.handle_endtag("a")
        joined = re.sub(r"[ \t]*[\x01-\x03][\x01-\x03 \t]*", _newlines, "".join(self.out))
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


def _newlines(run: re.Match[str]) -> str:
    """A run of breaks as newlines: a blank line for a paragraph, one per `<br>`; the spaces around are layout."""
    marks = run.group()
    return "\n" * max(marks.count(_BR), 2 if _PARAGRAPH in marks else 1)


def _link_text(href: str, tagged: bool, shown: str) -> str:
    """A mention or hashtag as shown (`@user`, `#tag`); a link as its address, with its words when it has any."""
    shown = shown.strip()
    if tagged or not href.startswith(("http://", "https://")):
        return shown or href
    bare = shown.removesuffix("…").rstrip()
    if not bare or href.startswith(bare) or href.split("://", 1)[1].startswith(bare):
        return href  # the address itself, maybe shortened
    return f"{shown} ({href})"


def html_to_text(html: str) -> str:
    """Plain text of a Mastodon status's HTML (see the module's docstring)."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()
