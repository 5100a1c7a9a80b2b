"""Numpy-only inference for the shipped linear text models.

The models are trained by `wakeful train` (scikit-learn) and exported as plain arrays in `.npz` files under
`analyze/models/`, loaded with `allow_pickle=False`: no pickles, no scikit-learn and no network at run time. All
heads (sentiment, complaint, topic, offensive) share one feature space, so a post is tokenised once and each
head costs one gather and a small matrix product.

Features are binary word uni- and bigrams and character 2-5-grams inside word boundaries (scikit-learn's
`char_wb`), each weighted by its inverse document frequency and L2-normalised per post. Character n-grams carry
the model across languages, spellings and inflections ('Verspätung', 'verspätet'), which word features alone miss
on a few thousand tweets per language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from wakeful.analyze.places import mask_places
from wakeful.analyze.text import MENTION_RE, URL_RE, content_free

MODELS_DIR = Path(__file__).resolve().parent / "models"
WORD_CACHE = 200_000  # tokens whose character n-gram ids are remembered (words repeat: Zipf)
MAX_CHARS = 1000  # posts are short; a pasted article adds cost but no signal past its opening
CHAR_NGRAMS = (2, 3, 4, 5)
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
# The companies the labelled tweets are addressed to, as they are written out in words: they read as a handle does,
# so that no model learns a brand's prior. The airline tweets run 78 % negative for US Airways and 36 % for Virgin
# America, and a model reading the names called "I am flying with JetBlue tomorrow" positive and the same sentence
# with United neutral: a desk for either brand would read its customers through the other airlines' record.
TRAINED_BRANDS_RE = re.compile(
    r"(?<![\w@#])#?(?:united(?:\s+airlines)?|jet\s?blue(?:\s+airways)?|southwest(?:\s?air(?:lines)?)?"
    r"|delta(?:\s+air\s?lines)?|virgin\s?america|us\s?airways|american\s?air(?:lines)?)(?!\w)",
    re.IGNORECASE)

# Languages the models were trained on; a post's language, as one of these inputs, lets a head shift its priors
# per language (the share of neutral tweets differs by language and source).
MODEL_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ar", "hi")

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


class ModelFileError(RuntimeError):
    """A shipped model file is missing or malformed: the install is broken, or `wakeful train` never ran."""


def tokens(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens; links, handles, the trained brands' names and places named after a
    travel word (`places.mask_places`) become placeholders (they name, not judge), and runs of a repeated letter
    are cut to two ('sooooo' → 'soo')."""
    text = MENTION_RE.sub(" @user ", URL_RE.sub(" http ", text[:MAX_CHARS]))
    text = mask_places(TRAINED_BRANDS_RE.sub(" @user ", text))
    return _TOKEN_RE.findall(_REPEAT_RE.sub(r"\1\1", text.lower()))


def char_grams(word: str) -> list[str]:
    """Character n-grams of one token padded with spaces, as scikit-learn's `char_wb` makes them."""
    padded = f" {word} "
    return [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]


def grams(text: str) -> tuple[list[str], list[str]]:
    """Word uni/bigrams and char_wb n-grams of `text`, the units the vocabulary indexes."""
    words = tokens(text)
    word_grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    return word_grams, [g for w in set(words) for g in char_grams(w)]


class Row(NamedTuple):
    """One post in feature space: unique feature ids and their tf-idf weights (unit L2 norm)."""

    ids: IntArray
    values: FloatArray


class Batch(NamedTuple):
    """Many posts in feature space, their rows laid end to end: post i owns `ids[starts[i]:starts[i + 1]]`.

    Every post's run ends with the id `size` (one past the vocabulary) and weight 0, which every head maps to a
    zero row, so no run is empty and one `np.add.reduceat` sums all posts at once. `unread` marks the posts with
    nothing to read (`text.content_free`), which every head reports as no evidence.
    """

    ids: IntArray
    values: FloatArray
    starts: IntArray
    unread: BoolArray


def take(batch: Batch, rows: Sequence[int]) -> Batch:
    """The posts `rows` of `batch` as a batch of their own, without tokenising them again."""
    ends = np.append(batch.starts[1:], len(batch.ids))
    picked = np.asarray(rows, dtype=np.int64)
    lengths = ends[picked] - batch.starts[picked]
    index = np.concatenate([np.arange(batch.starts[r], ends[r]) for r in picked]) if len(picked) else \
        np.zeros(0, dtype=np.int64)
    starts = np.zeros(len(picked), dtype=np.int32)
    np.cumsum(lengths[:-1], out=starts[1:])
    return Batch(batch.ids[index], batch.values[index], starts, batch.unread[picked])


def read_arrays(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of a shipped `.npz` model file (no pickles); a missing or unreadable file is a
    `ModelFileError` naming it."""
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path} (run `wakeful train` or reinstall wakeful)")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"model file {path} could not be read: {exc}") from exc


def encode_terms(terms: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Terms as newline-joined UTF-8 bytes (tokens never hold a newline), an array `np.savez` stores without
    pickling; `decode_terms` reads it back."""
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)


def decode_terms(blob: npt.NDArray[np.generic], offset: int = 0) -> dict[str, int]:
    """`encode_terms`' bytes → term → id, ids counted from `offset`."""
    terms = bytes(np.asarray(blob, dtype=np.uint8)).decode("utf-8").split("\n") if blob.size else []
    return {term: offset + i for i, term in enumerate(terms)}


class Featurizer:
    """Maps text to a `Row`: vocabulary lookups, idf weights, L2 normalisation."""

    def __init__(self, words: dict[str, int], chars: dict[str, int], idf: FloatArray) -> None:
        self.words, self.chars, self.idf = words, chars, idf.astype(np.float32)
        self.size = len(idf)
        self._last: tuple[str, Row] | None = None
        self._word_ids: dict[str, tuple[int, ...]] = {}
        self._last_batch: tuple[tuple[str, ...], Batch] | None = None
        self._idf_padded = np.append(self.idf, np.float32(0.0))

    @classmethod
    def load(cls, path: Path | None = None) -> Featurizer:
        data = read_arrays(path or MODELS_DIR / "features.npz")
        words = decode_terms(data["words"])
        chars = decode_terms(data["chars"], len(words))
        idf = np.asarray(data["idf"], dtype=np.float32)
        if len(words) + len(chars) != len(idf):
            raise ModelFileError("features.npz: vocabulary and idf lengths disagree")
        return cls(words, chars, idf)

    def ids(self, text: str) -> IntArray:
        """Unique ids of the text's known n-grams, sorted: the set `grams` yields, with each token's own id and
        character n-gram ids looked up once per process rather than once per post. Sorted because a set's order
        follows the process's string hashing, and sums taken in another order differ in their last bits, which
        averaged SGD grew into different models from one `wakeful train` to the next (complaint weights up to
        0.17 apart)."""
        words = tokens(text)
        wget, cache = self.words.get, self._word_ids
        found = {i for a, b in pairwise(words) if (i := wget(f"{a} {b}")) is not None}
        for word in set(words):
            known = cache.get(word)
            if known is None:
                known = self._lookup(word)
                if len(cache) < WORD_CACHE:
                    cache[word] = known
            found.update(known)
        return np.sort(np.fromiter(found, dtype=np.int32, count=len(found)))

    def _lookup(self, word: str) -> tuple[int, ...]:
        """A token's word id (if known) and its known character n-gram ids."""
        cget = self.chars.get
        own = self.words.get(word)
        grams = [i for g in char_grams(word) if (i := cget(g)) is not None]
        return (own, *grams) if own is not None else tuple(grams)

    def batch(self, texts: Sequence[str]) -> Batch:
        """The features of many posts in one array pass (idf gather and normalisation for the whole batch).
        The last batch is kept, so the heads reading one batch share one pass."""
        key = tuple(texts)
        last = self._last_batch
        if last is not None and last[0] == key:
            return last[1]
        sentinel = np.array([self.size], dtype=np.int32)
        parts = [part for text in texts for part in (self.ids(text), sentinel)]
        lengths = np.fromiter((len(p) for p in parts[::2]), dtype=np.int64, count=len(texts)) + 1
        starts = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        values = self._idf_padded[ids] if len(texts) else np.zeros(0, dtype=np.float32)
        norms = np.sqrt(np.add.reduceat(values * values, starts)) if len(texts) else np.zeros(0, np.float32)
        norms[norms == 0] = 1.0
        values = values / np.repeat(norms, lengths)
        unread = np.fromiter((content_free(text) for text in texts), dtype=np.bool_, count=len(texts))
        batch = Batch(ids, values.astype(np.float32), starts.astype(np.int32), unread)
        self._last_batch = (key, batch)
        return batch

    def row(self, text: str) -> Row:
        """The post's features. The last post's row is kept, so the heads reading one post share one pass."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        ids = self.ids(text)
        values = self.idf[ids]
        norm = float(np.sqrt(values @ values))
        row = Row(ids, values / norm if norm > 0 else values)
        self._last = (text, row)
        return row


Activation = Literal["softmax", "sigmoid"]


@dataclass(frozen=True)
class LinearHead:
    """One trained linear model over the shared features (plus optional dense extra inputs).

    softmax: one exclusive label (sentiment); sigmoid: independent yes/no per class (complaint, topics,
    offensive).
    """

    name: str
    classes: tuple[str, ...]
    weights: FloatArray  # (n_features, n_classes)
    bias: FloatArray  # (n_classes,)
    activation: Activation
    extra: tuple[str, ...] = ()
    extra_weights: FloatArray | None = None  # (len(extra), n_classes)
    threshold: float = 0.5  # probability at which a sigmoid head says yes, chosen on validation data
    calibration: tuple[FloatArray, FloatArray] | None = None  # monotone score map (knots from, to), if trained

    @classmethod
    def load(cls, name: str, n_features: int, directory: Path | None = None) -> LinearHead:
        path = (directory or MODELS_DIR) / f"{name}.npz"
        data = read_arrays(path)
        k = len(data["classes"])
        weights = np.zeros((n_features + 1, k), dtype=np.float32)  # the last row: `Batch`'s end-of-post id
        rows = np.asarray(data["rows"], dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= n_features):
            raise ModelFileError(f"{path}: feature ids outside the vocabulary; retrain all models together")
        weights[rows] = np.asarray(data["values"], dtype=np.float32) * float(data["scale"])
        activation = str(data["activation"])
        if activation not in ("softmax", "sigmoid"):
            raise ModelFileError(f"{path}: unknown activation {activation!r}")
        extra = tuple(str(x) for x in data["extra"])
        extra_weights = np.asarray(data["extra_weights"], dtype=np.float32) if extra else None
        threshold = float(data["threshold"]) if "threshold" in data else 0.5
        calibration = ((np.asarray(data["score_from"], np.float32), np.asarray(data["score_to"], np.float32))
                       if "score_from" in data else None)
        return cls(name, tuple(str(c) for c in data["classes"]), weights, np.asarray(data["bias"], dtype=np.float32),
                   activation, extra, extra_weights, threshold, calibration)  # type: ignore[arg-type]

    def logits(self, row: Row, extra: Mapping[str, float] | None = None) -> FloatArray:
        """Raw scores; `extra` gives the head's dense inputs by name (absent ones count as 0)."""
        z = row.values @ self.weights[row.ids] + self.bias
        if self.extra_weights is not None and extra:
            z = z + np.array([extra.get(name, 0.0) for name in self.extra], dtype=np.float32) @ self.extra_weights
        return np.asarray(z, dtype=np.float32)

    def proba(self, row: Row, extra: Mapping[str, float] | None = None) -> FloatArray:
        """Class probabilities: a distribution for softmax heads, independent per class for sigmoid heads."""
        return np.asarray(self._activate(self.logits(row, extra)[None, :])[0], dtype=np.float32)

    def extra_matrix(self, extras: Sequence[Mapping[str, float]]) -> FloatArray:
        """The dense inputs of many posts as one (posts, len(extra)) array, absent names as 0."""
        return np.array([[e.get(name, 0.0) for name in self.extra] for e in extras], dtype=np.float32).reshape(
            len(extras), len(self.extra))

    def proba_many(self, batch: Batch, extra: FloatArray | None = None) -> FloatArray:
        """`proba` of every post in `batch`, one row each: one gather and one segmented sum for the batch.
        `extra` is `extra_matrix`'s array, or None when the head's dense inputs are all 0."""
        if not len(batch.starts):
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        z = np.add.reduceat(self.weights[batch.ids] * batch.values[:, None], batch.starts, axis=0) + self.bias
        if self.extra_weights is not None and extra is not None:
            z = z + extra @ self.extra_weights
        return self._activate(z)

    def _activate(self, z: FloatArray) -> FloatArray:
        if self.activation == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)


def language_inputs(lang: str | None) -> dict[str, float]:
    """The dense language inputs for a post in `lang` (none when unknown or not a training language)."""
    return {f"lang={lang}": 1.0} if lang in MODEL_LANGUAGES else {}


@cache
def featurizer() -> Featurizer:
    """The shipped feature space, loaded once per process."""
    return Featurizer.load()


@cache
def head(name: str) -> LinearHead:
    """A shipped head ('sentiment', 'complaint', 'topics', 'offensive'), loaded once per process."""
    return LinearHead.load(name, featurizer().size)


def specialist_heads(name: str, n_features: int, directory: Path | None = None) -> dict[str, LinearHead]:
    """The per-language heads shipped beside head `name` (`{name}-{lang}.npz`), by language; none if absent."""
    folder = directory or MODELS_DIR
    return {lang: LinearHead.load(f"{name}-{lang}", n_features, folder) for lang in MODEL_LANGUAGES
            if (folder / f"{name}-{lang}.npz").is_file()}
