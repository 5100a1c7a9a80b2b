"""`wakeful train`'s parts: fixed splits, a deterministic fit, and an export that numpy inference reads back
to the same scores scikit-learn computed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.utils.class_weight import compute_class_weight

from wakeful.analyze.linear import LinearHead
from wakeful.ingest.datasets import default_data_dir
from wakeful.training import data, train, vocabulary
from wakeful.training.data import Example

TEXTS = [
    ("my bag is lost", "yes"), ("lost luggage again", "yes"), ("flight delayed three hours", "yes"),
    ("delayed and lost my bag", "yes"), ("thanks for the great flight", "no"), ("lovely crew, thank you", "no"),
    ("great service today", "no"), ("thank you so much", "no"),
]
SPEC = train.HeadSpec("complaint", data.complaint, ("yes",), "sigmoid", train.CUE_INPUTS)


def _examples() -> list[Example]:
    return [Example(t, y, "toy", "en") for t, y in TEXTS]


def test_text_split_is_a_fixed_function_of_the_text() -> None:
    texts = [f"post number {i}" for i in range(2000)]
    splits = [data.text_split(t) for t in texts]
    assert splits == [data.text_split(t) for t in reversed(texts)][::-1]
    share = {s: splits.count(s) / len(splits) for s in ("train", "val", "test")}
    assert share["test"] == pytest.approx(0.20, abs=0.03)
    assert share["val"] == pytest.approx(0.10, abs=0.03)


@pytest.mark.parametrize("setting", [("sgd", 1e-4), ("lbfgs", 10.0)])
def test_fit_is_reproducible_from_the_seed(setting: tuple[str, float]) -> None:
    examples = _examples()
    features = vocabulary.fit([e.text for e in examples], min_df=1)
    x, y = train.design(features, SPEC, examples), train.targets(SPEC, examples)
    first, second = train.fit_columns(x, y, setting, seed=3), train.fit_columns(x, y, setting, seed=3)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_an_unknown_solver_is_named() -> None:
    examples = _examples()
    features = vocabulary.fit([e.text for e in examples], min_df=1)
    x, y = train.design(features, SPEC, examples), train.targets(SPEC, examples)
    with pytest.raises(ValueError, match="unknown solver 'adam'"):
        train.fit_columns(x, y, ("adam", 1.0), seed=0)


@pytest.mark.parametrize("setting", [("sgd", 1e-4), ("lbfgs", 10.0)])
def test_exported_head_scores_like_the_trained_one(tmp_path: Path, setting: tuple[str, float]) -> None:
    examples = _examples()
    features = vocabulary.fit([e.text for e in examples], min_df=1)
    vocabulary.save(features, tmp_path / "features.npz")
    x, y = train.design(features, SPEC, examples), train.targets(SPEC, examples)
    weights, bias = train.fit_columns(x, y, setting, seed=0)
    train.export(tmp_path / "complaint.npz", SPEC, weights, bias, features.size)

    from wakeful.analyze.complaint import cue_inputs
    from wakeful.analyze.linear import Featurizer

    loaded = Featurizer.load(tmp_path / "features.npz")
    head = LinearHead.load("complaint", loaded.size, tmp_path)
    expected = np.asarray(x @ weights).ravel() + bias[0]
    got = [float(head.logits(loaded.row(e.text), cue_inputs(e.text, e.lang))[0]) for e in examples]
    assert np.allclose(got, expected, atol=2e-3 * max(1.0, float(np.abs(expected).max())))
    assert [g > 0 for g in got] == [label == "yes" for _, label in TEXTS]


def test_log_count_ratio_favours_features_of_the_positives() -> None:
    x = sparse.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], dtype=np.float32))
    ratio = train.log_count_ratio(x, np.array([1, 1, 0, 0]))
    assert ratio[0] > 0 > ratio[1] and ratio[2] == pytest.approx(0.0)


def test_nb_weights_score_plain_features() -> None:
    """The log-count ratio is folded into the weights: plain features, as inference reads them, classify."""
    examples = _examples()
    features = vocabulary.fit([e.text for e in examples], min_df=1)
    x, y = train.design(features, SPEC, examples), train.targets(SPEC, examples)
    plain, _ = train.fit_columns(x, y, ("sgd", 1e-4), seed=0)
    weights, bias = train.fit_columns(x, y, ("sgd", 1e-4), seed=0, nb=True)
    assert not np.allclose(weights, plain)
    assert [bool(z > 0) for z in np.asarray(x @ weights).ravel() + bias[0]] == [lab == "yes" for _, lab in TEXTS]


def test_class_weight_interpolates_between_none_and_balanced() -> None:
    y = np.array([1] + [0] * 8)
    balanced = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    assert train.class_weight(y, 1.0) == pytest.approx({0: balanced[0], 1: balanced[1]})
    assert train.class_weight(y, 0.0) == {0: 1.0, 1: 1.0}
    assert train.class_weight(y, 0.5)[1] == pytest.approx(balanced[1] ** 0.5)


def test_top_hit_rate_counts_rows_with_a_gold_class_only() -> None:
    y = np.array([[1, 0], [0, 1], [0, 0]])
    logits = np.array([[2.0, 1.0], [2.0, 1.0], [0.0, 5.0]])
    assert train.top_hit_rate(logits, y) == 0.5


@pytest.mark.skipif(not (default_data_dir() / "germeval2017-db").is_dir(), reason="labelled data not found")
def test_german_complaints_weigh_more_than_other_complaint_examples() -> None:
    weights = {(e.source, e.label): e.weight for e in data.complaint("val")}
    assert weights[("germeval2017", "yes")] == data.GERMEVAL_COMPLAINT_WEIGHT == 2.0
    assert weights[("germeval2017", "no")] == weights[("airline", "yes")] == 1.0
    assert weights[("xlmt", "no")] == data.GENERAL_TWEET_WEIGHT


@pytest.mark.skipif(not (default_data_dir() / "airline-tweets").is_dir(), reason="labelled data not found")
def test_an_airline_topic_weighs_what_its_annotators_agreed_on() -> None:
    agreed = {r["text"]: float(r["negativereason_confidence"]) for r in data.airline_rows("val")
              if r["airline_sentiment"] == "negative"}
    airline = [e for e in data.topics("val") if e.source == "airline"]
    assert len(airline) == len(agreed) and all(e.weight == agreed[e.text] for e in airline)
    assert {e.weight < 1 for e in airline} == {True, False}  # a reason only some annotators chose weighs less
    assert {e.weight for e in data.topics("val") if e.source == "germeval2017"} == {1.0}


def test_training_matrices_do_not_hang_on_the_processs_string_hashing() -> None:
    """Two processes with different hash seeds build byte-identical rows: a set's order follows the hashing, and
    rows in set order made `wakeful train --seed 0` give different complaint models from one run to the next."""
    script = (
        "import sys, hashlib; from wakeful.analyze.linear import Featurizer; from wakeful.training import vocabulary;"
        "m = vocabulary.matrix(Featurizer.load(), ['@AuroraAirways lost my bag again, nobody answers the phone!',"
        " 'Mein Koffer ist weg und niemand hilft mir am Flughafen Frankfurt', 'vol annulé, aucune réponse']);"
        "print(hashlib.sha1(m.indices.tobytes() + m.data.tobytes()).hexdigest())"
    )
    digests = {subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def test_tfidf_baseline_learns_from_its_training_split_only() -> None:
    from wakeful.evaluation import baselines

    predict = baselines.tfidf_lr(_examples() * 2)  # min_df=2: every text twice
    assert predict(["my bag is lost", "thank you so much"]) == ["yes", "no"]
    assert predict([]) == []
    assert baselines.family("xlmt-fr") == "xlmt" and baselines.family("airline") == "airline"
    with pytest.raises(ValueError, match="two labels"):
        baselines.tfidf_lr([Example("only one", "yes", "toy", "en")])


def test_take_cuts_posts_out_of_a_batch_in_the_order_asked() -> None:
    from wakeful.analyze.linear import Batch, take

    batch = Batch(np.array([1, 2, 9, 3, 9, 4, 5, 6, 9], np.int32), np.arange(9, dtype=np.float32),
                  np.array([0, 3, 5], np.int32), np.array([False, True, False]))
    cut = take(batch, [2, 0])
    assert cut.ids.tolist() == [4, 5, 6, 9, 1, 2, 9] and cut.starts.tolist() == [0, 4]
    assert cut.unread.tolist() == [False, False] and take(batch, [1]).unread.tolist() == [True]
    assert cut.values.tolist() == [5, 6, 7, 8, 0, 1, 2]
    assert take(batch, []).ids.size == 0
