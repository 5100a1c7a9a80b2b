"""Language identification for short social posts.

The desk routes a post to agents by language, so a wrong guess is worse than "unknown": an unknown post still
reaches a generalist, a mislabelled one lands in the wrong queue. The detector therefore says None unless lingua
is clearly sure, after removing the parts of a post that carry no language (links, handles, emoji, numbers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from lingua import Language, LanguageDetectorBuilder

from wakeful.analyze.text import HASHTAG_RE, MENTION_RE, URL_RE
from wakeful.core.languages import SUPPORTED_LANGUAGES as SUPPORTED_LANGUAGES  # re-exported: callers import it here

if TYPE_CHECKING:
    from lingua import LanguageDetector as LinguaDetector
    from numpy.typing import NDArray

MODEL_PATH = Path(__file__).parent / "models" / "language.npz"
OTHER = "xx"  # the n-gram model's class for languages the desk does not serve
MAX_NGRAM = 4
# 16,384 hashed n-gram features for ~58k distinct n-grams in training: validation accuracy equals 65,536
# buckets' (98.4%), and the weights fit in a core's cache, which made scoring a quarter faster.
BUCKET_BITS = 14
BUCKETS = 1 << BUCKET_BITS
# Function words common in Dutch posts and absent from German and English ones.
_DUTCH_MARKERS = frozenset({
    "het", "een", "niet", "mijn", "ik", "jullie", "geen", "nog", "weer", "zijn", "heb", "heeft", "hebben", "naar",
    "ook", "maar", "deze", "wij", "wordt", "bij", "uit", "waarom", "niemand", "bedankt", "nooit", "vlucht",
    "alweer", "graag", "kunnen", "moet", "hoe", "waar", "wanneer", "omdat", "alleen", "vandaag", "gisteren",
    "helemaal", "slechte",
})
_DUTCH_LOOKALIKES = frozenset({"de", "en", OTHER})
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of the product are the bucket
_SHIFT = np.uint64(64 - BUCKET_BITS)

_LINGUA: dict[str, Language] = {
    "en": Language.ENGLISH,
    "de": Language.GERMAN,
    "fr": Language.FRENCH,
    "es": Language.SPANISH,
    "it": Language.ITALIAN,
    "nl": Language.DUTCH,
    "pt": Language.PORTUGUESE,
}
_CODE: dict[Language, str] = {lang: code for code, lang in _LINGUA.items()}

_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACES_RE = re.compile(r"\s+")
_TRAILING_TAGS_RE = re.compile(r"(?:\s*#\w+)+\W*$")
# Everything but letters, combining marks and sentence punctuation: digits, '_', emoji, symbols.
_NOT_WORDS_RE = re.compile(r"[^\w\u0300-\u036f'\u2019.,!?;:-]|[\d_]")
_TAGS_RE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@\w+|(?<![\w#])#\w+")
_LETTER_RE = re.compile(r"[^\W\d_]")
_LATIN_LETTERS_RE = re.compile(r"[^\W\d_\u0250-\u1dff\u1f00-\uffff]")
_NOT_LETTERS_RE = re.compile(r"[^\w\u0300-\u036f']|[\d_]")


class LanguageDetector(Protocol):
    """Anything that names a post's language: ISO 639-1 code or None when unsure, and a 0..1 confidence."""

    def detect(self, text: str) -> tuple[str | None, float]: ...

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """`detect` for many posts, in order (a batch may share work between them)."""
        ...


def clean_for_language(text: str, *, trailing_tags: bool = True) -> str:
    """Keep only the words of a post: links, @handles, emoji, digits and symbols say nothing about language.

    Hashtags keep their word, split at camel case ('#VolAnnulé' → 'Vol Annulé'), because they are often real
    words of the post's language. `trailing_tags=False` drops the run of tags that ends a post, which is
    mostly brand and campaign names ('#FlyAurora') that pull short posts towards a wrong language.
    """
    text = URL_RE.sub(" ", text)
    text = MENTION_RE.sub(" ", text)
    if not trailing_tags:
        text = _TRAILING_TAGS_RE.sub(" ", text)
    text = HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)) + " ", text)
    return _SPACES_RE.sub(" ", _NOT_WORDS_RE.sub(" ", text)).strip()


@cache
def lingua_detector(languages: tuple[str, ...] = SUPPORTED_LANGUAGES, low_accuracy: bool = False) -> LinguaDetector:
    """Build the lingua detector once per process: loading its n-gram models takes about a second.
    `low_accuracy` uses trigrams only: about three times faster, and weaker on short text."""
    builder = LanguageDetectorBuilder.from_languages(*(_LINGUA[code] for code in languages))
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


class LinguaLanguageDetector:
    """lingua restricted to the desk's languages, abstaining on short or ambiguous text.

    `min_confidence` and `min_margin` (top minus runner-up) were set on the XLM-T validation tweets (en, de,
    fr, es, it, pt): on whole tweets it names 96% and is right on 99% of those (the rest are mostly mislabelled
    tweets); cut to three words it names 64% at 97%. The margin is what separates close pairs (de/nl, es/pt)
    on a few words, where lingua's top confidence alone is misleading.
    """

    def __init__(
        self,
        languages: tuple[str, ...] = SUPPORTED_LANGUAGES,
        *,
        min_letters: int = 6,
        min_confidence: float = 0.4,
        min_margin: float = 0.25,
        low_accuracy: bool = False,
    ) -> None:
        unknown = set(languages) - set(_LINGUA)
        if unknown:
            raise ValueError(f"unsupported languages: {sorted(unknown)}")
        self.languages = tuple(languages)
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.low_accuracy = low_accuracy

    def detect(self, text: str) -> tuple[str | None, float]:
        """The language of `text`, or (None, 0.0) when it is too short or lingua is not clearly sure.

        A post that ends in hashtags is read once whole and, if that is unsure, once without the trailing tags.
        """
        full = clean_for_language(text)
        code, confidence = self._judge(full)
        if code is None:
            untagged = clean_for_language(text, trailing_tags=False)
            if untagged != full:
                code, confidence = self._judge(untagged)
        return code, confidence

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        return [self.detect(text) for text in texts]

    def _judge(self, cleaned: str) -> tuple[str | None, float]:
        if sum(map(str.isalpha, cleaned)) < self.min_letters:
            return None, 0.0
        values = lingua_detector(self.languages, self.low_accuracy).compute_language_confidence_values(cleaned)
        if not values:
            return None, 0.0
        top = values[0].value
        runner_up = values[1].value if len(values) > 1 else 0.0
        if top < self.min_confidence or top - runner_up < self.min_margin:
            return None, 0.0
        return _CODE[values[0].language], float(top)


def ngram_ids(cleaned: str) -> NDArray[np.uint64]:
    """Hashed ids (0..`BUCKETS`-1, repeats kept) of the character 1-4-grams of the lower-cased words of
    `cleaned`, a space marking word edges.

    Hashing in numpy over the code points costs the same few array operations for any post, where a Python
    loop over ~400 n-gram strings and a vocabulary lookup each was a third of the analyzer's budget. Training and
    inference share this function, so the model sees exactly the features it learnt.
    """
    padded = " " + " ".join(_NOT_LETTERS_RE.sub(" ", cleaned.lower()).split()) + " "
    h = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    first = h
    grams = [h]
    for n in range(2, MAX_NGRAM + 1):
        h = h[:-1] * _PRIME + first[n - 1 :]
        grams.append(h + np.uint64(n))
    return (np.concatenate(grams) * _MIX) >> _SHIFT


def _latin_share(cleaned: str) -> float:
    if cleaned.isascii():
        return 1.0
    letters = sum(map(str.isalpha, cleaned))
    return len(_LATIN_LETTERS_RE.findall(cleaned)) / max(1, letters)


class NgramLanguageModel:
    """A multinomial logistic regression over idf-weighted hashed character n-grams (`wakeful.training.language`).

    A text's features are `x = sum over its n-gram occurrences of idf[id] * e_id`, divided by
    `sqrt(sum over occurrences of idf[id]^2)`: the l2 norm up to repeats, so scoring needs two gathers and no
    sort to count repeats. Training uses the same map (`feature_rows`).
    """

    def __init__(self, idf: NDArray[np.float32], weights: NDArray[np.float32], bias: NDArray[np.float32],
                 classes: list[str]) -> None:
        self.idf = idf.astype(np.float32)
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.classes = classes
        self._scaled = self.weights * self.idf[:, None]  # idf folded into the weights: one gather fewer
        self._idf2 = self.idf * self.idf

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> NgramLanguageModel:
        with np.load(path) as data:
            return cls(data["idf"], data["weights"], data["bias"], [str(c) for c in data["classes"]])

    def probabilities(self, cleaned: str) -> NDArray[np.float64]:
        """Softmax over `classes` for one cleaned text."""
        ids = ngram_ids(cleaned)
        norm = math.sqrt(float(self._idf2[ids].sum()))
        if norm == 0.0:
            return np.full(len(self.classes), 1.0 / len(self.classes))
        z = np.take(self._scaled, ids, axis=0).sum(axis=0) / norm + self.bias
        e = np.exp(z - z.max())
        return np.asarray(e / e.sum(), dtype=np.float64)

    def probabilities_many(self, cleaned: Sequence[str]) -> NDArray[np.float64]:
        """`probabilities` of many texts at once, one row each: one gather and one segmented sum for the batch
        instead of a handful of small array operations per text."""
        if not cleaned:
            return np.empty((0, len(self.classes)))
        parts = [ngram_ids(c) for c in cleaned]
        starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
        ids = np.concatenate(parts)
        norms = np.sqrt(np.add.reduceat(self._idf2[ids], starts))
        norms[norms == 0.0] = 1.0
        z = np.add.reduceat(np.take(self._scaled, ids, axis=0), starts, axis=0) / norms[:, None] + self.bias
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict(self, cleaned: str, min_probability: float = 0.0) -> str | None:
        """The most probable class if it is a served language at `min_probability` or more, else None."""
        p = self.probabilities(cleaned)
        top = int(p.argmax())
        code = self.classes[top]
        return code if code != OTHER and p[top] >= min_probability else None


@cache
def ngram_model(path: Path = MODEL_PATH) -> NgramLanguageModel:
    """Load the shipped model once per process."""
    return NgramLanguageModel.load(path)


class NgramLanguageDetector:
    """The desk's default detector: the shipped n-gram model answers when it is sure; lingua judges the rest.

    The n-gram model knows en, de, fr, es, it and pt (the languages with labelled tweets) and is several times
    faster than lingua. Text it is unsure of, and text that `looks_dutch` (no data set here has Dutch), goes to
    lingua restricted to the desk's languages, with lingua's own abstention; `fallback=None` turns that off.
    Text the model places in its "other" class (romanised Hindi, Arabic, …) is unknown unless lingua finds
    Dutch. The thresholds were set on the validation splits: at 0.7 the model answers 97% of served-language
    tweets and is right on 99.9% of those; posts under `short_words` words need 0.9, which on three-word cuts
    halves the wrong answers (4.2% → 1.9% of posts) for 7.5 points of coverage.
    """

    def __init__(self, model: NgramLanguageModel | None = None, *,
                 fallback: LinguaLanguageDetector | None = None, min_letters: int = 6,
                 min_probability: float = 0.7, min_probability_short: float = 0.9, short_words: int = 5,
                 min_latin: float = 0.5) -> None:
        self.model = model or ngram_model()
        self.min_probability_short = min_probability_short
        self.short_words = short_words
        self.fallback = fallback
        self.min_letters = min_letters
        self.min_probability = min_probability
        self.min_latin = min_latin

    def detect(self, text: str) -> tuple[str | None, float]:
        """The language of `text`, or (None, 0.0). A post of nothing but tags, handles, links and emoji is
        unknown: English hashtags ('#fail #delayed') are used by customers of every language."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """`detect` for many posts, scoring all that need the model in one batch."""
        cleaned = [clean_for_language(t) if _LETTER_RE.search(_TAGS_RE.sub(" ", t)) else "" for t in texts]
        readable = [i for i, c in enumerate(cleaned) if self._readable(c)]
        batch = [cleaned[i] for i in readable]
        probabilities = (self.model.probabilities_many(batch) if len(batch) > 1
                         else [self.model.probabilities(c) for c in batch])
        results: list[tuple[str | None, float]] = [(None, 0.0)] * len(texts)
        for i, p in zip(readable, probabilities, strict=True):
            results[i] = self._decide(cleaned[i], p)
        for i, text in enumerate(texts):
            if results[i][0] is None and cleaned[i] and _TRAILING_TAGS_RE.search(text):
                untagged = clean_for_language(text, trailing_tags=False)
                if untagged != cleaned[i] and self._readable(untagged):
                    results[i] = self._decide(untagged, self.model.probabilities(untagged))
        return results

    def _readable(self, cleaned: str) -> bool:
        return sum(map(str.isalpha, cleaned)) >= self.min_letters and _latin_share(cleaned) >= self.min_latin

    def _decide(self, cleaned: str, p: NDArray[np.float64]) -> tuple[str | None, float]:
        top = int(p.argmax())
        code = self.model.classes[top]
        if self.fallback is not None and code in _DUTCH_LOOKALIKES and looks_dutch(cleaned):
            return self.fallback._judge(cleaned)
        if code == OTHER:
            # None of the six the model knows; of the served languages that leaves Dutch, worth asking lingua
            # only if a Dutch function word is there (romanised Hindi, say, would cost a lingua call each).
            if self.fallback is None or dutch_markers(cleaned) == 0:
                return None, 0.0
            dutch = self.fallback._judge(cleaned)
            return dutch if dutch[0] == "nl" else (None, 0.0)
        short = cleaned.count(" ") + 1 < self.short_words
        if p[top] >= (self.min_probability_short if short else self.min_probability):
            return code, float(p[top])
        if self.fallback is not None:
            return self.fallback._judge(cleaned)
        return None, 0.0


def dutch_markers(cleaned: str) -> int:
    """How many distinct Dutch function words (absent from German and English) `cleaned` has."""
    return len(_DUTCH_MARKERS.intersection(_NOT_LETTERS_RE.sub(" ", cleaned.lower()).split()))


def looks_dutch(cleaned: str) -> bool:
    """Two or more Dutch function words: the n-gram model, which has no Dutch training data, reads Dutch as
    German with high confidence, so such text goes to lingua instead."""
    return dutch_markers(cleaned) >= 2


def default_detector() -> NgramLanguageDetector:
    """The n-gram model with lingua behind it: what the Analyzer uses unless told otherwise."""
    return NgramLanguageDetector(fallback=LinguaLanguageDetector())
