"""The issue's orientation baseline for sentiment, refitted in every evaluation run: word (1-2) and character
(`char_wb` 2-5) TF-IDF features, sublinear term frequency, and a class-balanced logistic regression
(scikit-learn's defaults otherwise), trained on the data set family's own training split: the airline tweets
on theirs, every XLM-T language on all eight languages' tweets together, GermEval 2017 on its own. It has no
lexicons, no language inputs and no other family's data, which is what the shipped model must beat.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from wakeful.training.data import Example


def family(source: str) -> str:
    """The training data a test set's baseline learns from: 'xlmt' for any XLM-T language, else the source."""
    return "xlmt" if source.startswith("xlmt") else source


def tfidf_lr(train: Sequence[Example]) -> Callable[[Sequence[str]], list[str]]:
    """Fit the baseline on `train`; returns a function from texts to predicted labels."""
    if len({e.label for e in train}) < 2:
        raise ValueError("the TF-IDF baseline needs training examples of at least two labels")
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    texts = [e.text for e in train]
    x = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)], format="csr")
    model = LogisticRegression(max_iter=1000, class_weight="balanced").fit(x, [e.label for e in train])

    def predict(batch: Sequence[str]) -> list[str]:
        if not batch:
            return []
        features = sparse.hstack([words.transform(batch), chars.transform(batch)], format="csr")
        return [str(label) for label in model.predict(features)]

    return predict
