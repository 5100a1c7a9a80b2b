"""The analysis stage: one `Post` in, one `Analysis` out, with no I/O.

Components sit behind small Protocols so a trained model can replace a v0 rule without touching callers;
the `Analyzer` only decides the order of the steps and how they feed each other (language first, since
sentiment, complaint and topic rules depend on it; severity last, since it combines them).
"""

from __future__ import annotations

from collections.abc import Sequence

from wakeful.analyze.brand_topics import BrandTopics
from wakeful.analyze.brands import BrandMatcher
from wakeful.analyze.complaint import ComplaintClassifier, LinearComplaintClassifier
from wakeful.analyze.encoder import EncoderSentiment  # PyTorch is imported only when one is built
from wakeful.analyze.language import SUPPORTED_LANGUAGES, LanguageDetector, default_detector
from wakeful.analyze.legal import legal_flags, named_staff
from wakeful.analyze.offensive import OffensiveClassifier
from wakeful.analyze.pii import pii_kinds
from wakeful.analyze.question import is_question
from wakeful.analyze.sentiment import LinearSentiment, SentimentModel
from wakeful.analyze.severity import severity
from wakeful.analyze.spam import is_spam
from wakeful.analyze.text import content_free
from wakeful.analyze.topics import ModelTopicTagger, TopicTagger
from wakeful.analyze.urgency import read_urgency
from wakeful.core.models import Analysis, Post, Sentiment
from wakeful.core.settings import BrandConfig

BATCH = 256  # posts per model pass: past this, throughput gains are small (benchmarks/bench_analyze.py)


def platform_language(tag: str | None) -> str | None:
    """The primary subtag of a platform's BCP-47 tag ('en-GB' → 'en'), if it is a supported language."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else None


class Analyzer:
    """Runs every analysis step on a post. Sentiment, complaint, topics (English) and offensive language come from
    the shipped trained models (`analyze/models/`, MODEL_CARD.md; `wakeful eval` measures them on held-out test
    splits beside VADER and the v0 lexicon, which any component can be swapped back to). The trained heads share
    one pass over the text; `analyze_many` is the batch entry point.

    Known weakness, visible in the demo: trained on tweets addressed to airlines, the English heads read travel
    words as grievances, so some templated praise ("rebooked me in 5 minutes. Legends.") reads as a complaint.
    """

    def __init__(
        self,
        brands: list[BrandConfig],
        *,
        detector: LanguageDetector | None = None,
        sentiment: SentimentModel | None = None,
        complaint: ComplaintClassifier | None = None,
        topics: TopicTagger | None = None,
        offensive: OffensiveClassifier | None = None,
        encoder: bool = False,
    ) -> None:
        """`encoder`: read English sentiment with the opt-in encoder (`analyze.encoder`, settings'
        `sentiment_encoder`) instead of the linear model alone; it needs the `encoder` extra."""
        self.set_brands(brands)
        self.detector: LanguageDetector = detector or default_detector()
        self.sentiment: SentimentModel = sentiment or (EncoderSentiment() if encoder else LinearSentiment())
        self.complaint: ComplaintClassifier = complaint or LinearComplaintClassifier()
        self.topics: TopicTagger = topics or ModelTopicTagger()
        self.offensive = offensive or OffensiveClassifier()

    def set_brands(self, brands: list[BrandConfig]) -> None:
        """Listen for a changed set of brands (a lead edited handles, keywords or topics); from the next post."""
        self.brands = BrandMatcher(brands)
        self.brand_topics = BrandTopics(brands)
        self.programmes = {b.key: tuple(b.loyalty_programmes) for b in brands}

    def loyalty_programmes(self, brands: Sequence[str]) -> tuple[str, ...]:
        """The loyalty programmes of the brands a post mentions: a number after one of them is personal data."""
        return tuple(name for key in brands for name in self.programmes.get(key, ()))

    def language(self, post: Post) -> tuple[str | None, float]:
        """The detector's answer; when it abstains, the platform's own tag if supported."""
        return self._languages([post.text], [post.lang])[0]

    def _languages(self, texts: Sequence[str], tags: Sequence[str | None]) -> list[tuple[str | None, float]]:
        """The platform's tag is trusted less than a confident detection (platforms often tag from the user's
        settings, not the text), so it only fills a gap, and with confidence 0 to say no model stood behind it."""
        found = self.detector.detect_many(list(texts))
        return [(lang, confidence) if lang is not None else (platform_language(tag), 0.0)
                for tag, (lang, confidence) in zip(tags, found, strict=True)]

    def analyze(self, post: Post) -> Analysis:
        return self.analyze_many([post])[0]

    def analyze_many(self, posts: Sequence[Post]) -> list[Analysis]:
        """Analyse posts in order; one result per post (see `analyze_texts`)."""
        return self.analyze_texts([p.text for p in posts], [p.lang for p in posts])

    def analyze_texts(self, texts: Sequence[str], tags: Sequence[str | None]) -> list[Analysis]:
        """Analyse texts with the platforms' language tags (None where a platform gave none); all a post's analysis
        reads, so stored posts can be analysed again without rebuilding them. The models read the whole batch at
        once (one featurisation shared by every trained head, one matrix pass per head); the rules read text by
        text. Long inputs go in chunks of `BATCH`, so memory stays bounded and per-text caches (`text.fold`) hit."""
        if len(texts) > BATCH:
            return [a for i in range(0, len(texts), BATCH)
                    for a in self.analyze_texts(texts[i : i + BATCH], tags[i : i + BATCH])]
        if not texts:
            return []
        texts = list(texts)
        languages = self._languages(texts, tags)
        langs = [lang for lang, _ in languages]
        read = [self.brands.mask(text) for text in texts]  # the models read what is said of a brand, not its name
        sentiments = [(label, max(-1.0, min(1.0, score))) for label, score in self.sentiment.score_many(read, langs)]
        complaints = self.complaint.predict_many(read, langs, [score for _, score in sentiments])
        topics = self.topics.tag_many(read, langs)
        offensive = self.offensive.predict_many(read)
        return [self._combine(*parts) for parts in zip(
            texts, read, languages, sentiments, complaints, topics, offensive, strict=True)]

    def _combine(self, text: str, read: str, language: tuple[str | None, float], sentiment: tuple[Sentiment, float],
                 complaint: tuple[bool, float], model_topics: list[str], offensive: tuple[bool, float]) -> Analysis:
        """One post's Analysis from the models' readings and the rules."""
        lang, lang_confidence = language
        label, score = sentiment
        is_complaint, complaint_p = complaint
        brands = self.brands.match(text)
        topics = self.brand_topics.tag(text, brands, model_topics)
        urgency = read_urgency(text)
        legal = self.legal(text, offensive[0])
        level = severity(is_complaint, score, text, topics, signals=urgency.signals)
        return Analysis(
            lang=lang,
            lang_confidence=max(0.0, min(1.0, lang_confidence)),
            sentiment=label,
            sentiment_score=score,
            complaint=is_complaint,
            complaint_p=max(0.0, min(1.0, complaint_p)),
            question=is_question(text, lang),
            spam=is_spam(text),
            severity=max(level, 2) if legal else level,  # an accusation or alleged crime is never low priority
            topics=topics,
            brands=brands,
            pii=pii_kinds(text, self.loyalty_programmes(brands)),
            signals=urgency.signals,
            deadline_minutes=urgency.deadline_minutes,
            legal=legal,
            offensive_p=max(0.0, min(1.0, offensive[1])),
            unreadable=content_free(read),
        )

    @staticmethod
    def legal(text: str, offensive: bool) -> list[str]:
        """The legal flags, plus 'staff_abuse' when abusive language comes with a named member of staff: a
        public reply must not repeat or seem to accept an insult aimed at a person."""
        flags = legal_flags(text)
        if offensive and "staff_accusation" not in flags and named_staff(text):
            flags.append("staff_abuse")
        return flags
