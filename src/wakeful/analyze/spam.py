"""Spam: promotional noise that mentions a brand but wants nothing from its care desk.

Agents should never spend time on "follow back for free followers", yet a real customer who mentions a
giveaway once must not vanish. So one unmistakable promo phrase is enough, while weaker signs (a single
promo word, several links, a wall of hashtags) must come together.
"""

from __future__ import annotations

from wakeful.analyze.text import HASHTAG_RE, URL_RE, compile_terms, fold

_STRONG = compile_terms([
    r"follow ?back", r"f4f", r"follow4follow", r"followback", r"click (?:here|the link|link in bio)",
    r"free (?:followers|likes|retweets|iphone|giftcards?|gift cards?)", r"buy (?:followers|likes)",
    r"(?:link|check) (?:in )?(?:my )?bio", r"dm (?:me )?for (?:promo|collab|promotion)", r"airdrop",
    r"earn \$?\d+\S* (?:per|a) (?:day|week|hour)", r"work from home and earn", r"100% free",
    r"gratis follower", r"abonnes gratuits",
])
_WEAK = compile_terms([
    r"crypto\w*", r"bitcoin", r"btc", r"nft", r"giveaways?", r"win (?:a|an|free)", r"free", r"promo(?: code)?",
    r"discount code", r"subscribe", r"gewinnspiel", r"gewinne?n?", r"concours", r"gagnez", r"jeu concours",
    r"forex", r"investment opportunity", r"casino", r"betting",
])
MANY_LINKS = 3
MANY_HASHTAGS = 6


def spam_signals(text: str) -> int:
    """A rough spam score: 2 per unmistakable promo phrase, 1 per weaker sign."""
    folded = fold(text)
    score = 2 * len(_STRONG.findall(folded))
    score += len(set(_WEAK.findall(folded)))
    score += len(URL_RE.findall(text)) >= MANY_LINKS
    score += len(HASHTAG_RE.findall(text)) >= MANY_HASHTAGS
    return score


def is_spam(text: str) -> bool:
    """Spam when the promo signs add up to 2: one strong phrase, or two weaker signs together."""
    return spam_signals(text) >= 2
