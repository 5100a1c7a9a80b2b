"""`wakeful train --encoder`: fine-tune the optional English sentiment encoder's adapters (`analyze.encoder`).

Only the low-rank adapters and the head train (the pretrained weights stay frozen), on the English sentiment
training splits (airline tweets and XLM-T English), class-weighted, 3 epochs of AdamW with a linear warm-up and
decay. The blend with the linear model is picked on the validation splits; the test splits are read only by
`wakeful eval`. On two cores it takes about 11 minutes. Training runs on a fixed number of threads with a fixed
seed, so a machine repeats its own run; other CPUs may differ in the last bits, as any float training does.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wakeful.analyze import encoder
from wakeful.analyze.linear import MODELS_DIR
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.training import data
from wakeful.training.data import Example
from wakeful.training.metrics import macro_f1

EPOCHS = 3
BATCH = 32
LEARNING_RATE = 5e-4
WARMUP = 0.06  # share of the steps over which the learning rate rises from 0
RANK, ALPHA, MAX_LENGTH = 8, 16.0, 64
THREADS = 2
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)


def english(split: data.Split, base: Path | None = None) -> list[Example]:
    """The English sentiment examples of a split (airline tweets and XLM-T English)."""
    return [e for e in data.sentiment(split, base) if e.lang in encoder.LANGUAGES]


def fit(examples: Sequence[Example], seed: int = 0, epochs: int = EPOCHS,
        log: Callable[[str], None] = print) -> dict[str, np.ndarray]:
    """Fine-tune fresh adapters and head on `examples`; returns their numbers by parameter name."""
    torch = encoder.torch_module()
    threads = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    try:
        torch.manual_seed(seed)
        model = encoder.build(encoder.base_dir(), RANK, ALPHA, seed)
        model.train()
        y = np.array([encoder.CLASSES.index(e.label) for e in examples])
        counts = np.bincount(y, minlength=len(encoder.CLASSES)).clip(min=1)
        loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(len(y) / (len(counts) * counts), dtype=torch.float32))
        params = [p for p in model.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=0.0)
        steps = max(1, epochs * (len(examples) // BATCH))
        warmup = max(1.0, WARMUP * steps)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps))
        rng, started, step = random.Random(seed), time.monotonic(), 0
        for epoch in range(epochs):
            order = list(range(len(examples)))
            rng.shuffle(order)
            for start in range(0, max(1, len(order) - BATCH + 1), BATCH):  # whole batches; one if fewer
                batch = order[start:start + BATCH]
                loss = loss_fn(model([examples[i].text for i in batch], MAX_LENGTH), torch.from_numpy(y[batch]))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
            log(f"encoder: epoch {epoch + 1}/{epochs}, {step} steps, last loss {loss.item():.3f}, "
                f"{time.monotonic() - started:.0f} s")
        return encoder.trained(model)
    finally:
        torch.set_num_threads(threads)


def save(path: Path, arrays: dict[str, np.ndarray], blend: float) -> None:
    """The adapter file: trained numbers plus what rebuilding the model needs (rank, alpha, length, blend)."""
    payload: dict[str, Any] = {**arrays, "meta_rank": np.int32(RANK), "meta_alpha": np.float32(ALPHA),
                               "meta_blend": np.float32(blend), "meta_max_length": np.int32(MAX_LENGTH)}
    np.savez_compressed(path, **payload)


def choose_blend(model: encoder.EncoderSentiment, val: Sequence[Example]) -> tuple[float, dict[float, float]]:
    """The blend weight with the best mean validation macro-F1 over the English data sets (ties: less encoder)."""
    texts, langs = [e.text for e in val], [e.lang for e in val]
    linear = model.linear.predict_proba(texts, langs)[:, model.order]
    encoded = model.encoder_proba(texts)
    gold = np.array([encoder.CLASSES.index(e.label) for e in val])
    sources = sorted({e.source for e in val})
    scores: dict[float, float] = {}
    for blend in BLENDS:
        pred = encoder.mix(encoded, linear, blend).argmax(axis=1)
        scores[blend] = float(np.mean([macro_f1(list(gold[rows]), list(pred[rows])) for rows in
                                       (np.array([e.source == s for e in val]) for s in sources)]))
    best = max(BLENDS, key=lambda b: (round(scores[b], 6), -b))
    return best, scores


def train_encoder(out: Path = MODELS_DIR, seed: int = 0, base: Path | None = None, epochs: int = EPOCHS,
                  log: Callable[[str], None] = print) -> dict[str, object]:
    """Fit the adapters, pick the blend on validation, write `out/sentiment-encoder.npz`; blends with the linear
    sentiment model in `out` if it has one, else the shipped one."""
    started = time.monotonic()
    train, val = english("train", base), english("val", base)
    log(f"encoder: {len(train):,} training / {len(val):,} validation English examples")
    arrays = fit(train, seed, epochs, log)
    out.mkdir(parents=True, exist_ok=True)
    path = out / encoder.ADAPTER_FILE
    save(path, arrays, 1.0)
    linear_dir = out if (out / "sentiment.npz").is_file() else MODELS_DIR
    model = encoder.EncoderSentiment(path, LinearSentiment.load(linear_dir))
    blend, scores = choose_blend(model, val)
    save(path, arrays, blend)
    log("encoder: validation macro-F1 by blend " + ", ".join(f"{b:g}: {s:.3f}" for b, s in scores.items())
        + f"; chose {blend:g}")
    return {"seed": seed, "epochs": epochs, "blend": blend, "validation": round(scores[blend], 4),
            "train_examples": len(train), "val_examples": len(val),
            "seconds": round(time.monotonic() - started, 1)}

