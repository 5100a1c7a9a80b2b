"""The language model's training and inference read the same features, and the evaluation scores honestly."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from wakeful.analyze.language import NgramLanguageModel, clean_for_language
from wakeful.evaluation.language import LabelledSet, lines, score
from wakeful.training.language import count_matrix, feature_rows, inverse_document_frequency

TEXTS = [
    ("my bag never arrived and nobody answers", "en"), ("the flight was delayed again", "en"),
    ("thank you for the lovely crew", "en"), ("mein Koffer ist nicht angekommen", "de"),
    ("der Zug hat schon wieder Verspätung", "de"), ("danke für den tollen Service", "de"),
    ("ma valise n'est jamais arrivée", "fr"), ("le vol est encore en retard", "fr"),
    ("merci pour l'équipage adorable", "fr"),
]


def test_inference_reproduces_the_trained_model() -> None:
    cleaned = [clean_for_language(t) for t, _ in TEXTS]
    counts = count_matrix(cleaned)
    idf = inverse_document_frequency(counts)
    x = feature_rows(counts, idf)
    fitted = LogisticRegression(C=10.0, max_iter=500, random_state=0).fit(x, [y for _, y in TEXTS])
    model = NgramLanguageModel(idf, fitted.coef_.T.astype(np.float32), fitted.intercept_.astype(np.float32),
                               list(fitted.classes_))
    expected = fitted.predict_proba(x)
    got = np.array([model.probabilities(c) for c in cleaned])
    assert np.allclose(got, expected, atol=1e-4)
    assert [model.classes[int(p.argmax())] for p in got] == [y for _, y in TEXTS]


def test_score_counts_abstentions_apart_from_mistakes() -> None:
    labelled = LabelledSet("toy", ["a", "b", "c", "d"], ["en", "en", "de", "de"])
    answers = {"a": "en", "b": None, "c": "en", "d": "de"}
    result = score(answers.__getitem__, labelled)
    assert result == {"n": 4, "coverage": 0.75, "accuracy": 2 / 3, "wrong": 0.25}


def test_lines_render_every_set_and_detector() -> None:
    report = {
        "sets": {"toy": {"wakeful": {"n": 4, "coverage": 0.75, "accuracy": 1.0, "wrong": 0.0},
                         "lingua": {"n": 4, "coverage": 1.0, "accuracy": 0.5, "wrong": 0.5}}},
        "posts_per_s": {"wakeful": 5000.0, "lingua": 1000.0},
    }
    table = lines(report)
    assert "| toy | 4 | 0.750 / 1.000 / 0.000 | 1.000 / 0.500 / 0.500 |" in table
    assert table[-1] == "| posts/s | | 5,000 | 1,000 |"
