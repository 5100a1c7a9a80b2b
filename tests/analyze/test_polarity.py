"""Word polarity inputs: the tables `wakeful train` builds from the lexicon files, how a post is read with them,
and the shipped sentiment model's use of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wakeful.analyze.linear import MODELS_DIR, ModelFileError
from wakeful.analyze.polarity import INPUTS, SCALE, SOURCES, PolarityLexicon
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.training import polarity as tables
from wakeful.training import train, vocabulary
from wakeful.training.data import Example


def _lexicon() -> PolarityLexicon:
    return PolarityLexicon.from_tables({"en": {"good": 0.5, "awful": -0.75}, "de": {"gut": 0.7, "schlecht": -0.7},
                            "fr": {"nul": -0.8}, "emoji": {"😡": -0.6, "😍": 0.7}})


def _input(lexicon: PolarityLexicon, text: str, name: str) -> float:
    return float(lexicon.vector(text)[INPUTS.index(name)])


def test_tables_read_each_lexicon_format(tmp_path: Path) -> None:
    vader = tmp_path / "vader_lexicon.txt"
    vader.write_text("Good\t1.9\t0.9\t[2, 2]\nawful\t-3.4\t0.5\t[-3]\n", encoding="utf-8")
    pattern = tmp_path / "de-sentiment.xml"
    pattern.write_text('<sentiment><word form="Gut" polarity="1.0"/><word form="gut" polarity="0.5"/>'
                       '<word form="Tisch" polarity="0.0"/></sentiment>', encoding="utf-8")
    emoji = tmp_path / "emoji.csv"
    emoji.write_text("Emoji,Occurrences,Negative,Neutral,Positive\n😍,97,10,20,67\n🦑,3,0,0,3\n", encoding="utf-8")

    assert tables.vader_table(vader) == pytest.approx({"good": 1.9 / 4, "awful": -3.4 / 4})
    assert tables.pattern_table(pattern) == pytest.approx({"gut": 0.75})  # forms merged by case, 0 left out
    assert tables.emoji_table(emoji) == pytest.approx({"😍": 57 / 100})  # rare emoji left out


def test_a_missing_lexicon_package_says_how_to_install_it() -> None:
    with pytest.raises(tables.LexiconMissingError, match=r"wakeful\[train\]"):
        tables.package_file("no_such_lexicon_package", "lexicon.txt")


def test_positive_and_negative_mass_per_lexicon() -> None:
    lexicon = _lexicon()
    assert _input(lexicon, "Good flight", "polarity:en+") == pytest.approx(SCALE * np.log1p(0.5))
    assert _input(lexicon, "Good flight", "polarity:en-") == 0
    assert _input(lexicon, "Awful, just awful", "polarity:en-") == pytest.approx(SCALE * np.log1p(1.5))
    assert _input(lexicon, "Der Service war schlecht", "polarity:de-") > 0
    assert _input(lexicon, "Service nul 😡", "polarity:fr-") > 0
    assert _input(lexicon, "Service nul 😡", "polarity:emoji-") > 0
    assert not lexicon.vector("Nothing here").any()


def test_a_negated_word_counts_weakly_the_other_way() -> None:
    lexicon = _lexicon()
    for text, sign in (("not good", "en"), ("it isn't good", "en"), ("nicht gut", "de")):
        assert _input(lexicon, text, f"polarity:{sign}+") == 0, text
        assert 0 < _input(lexicon, text, f"polarity:{sign}-") < _input(lexicon, text.split()[-1], f"polarity:{sign}+")
    assert _input(lexicon, "not 😍", "polarity:emoji+") > 0  # words do not negate emoji


def test_tables_survive_save_and_load(tmp_path: Path) -> None:
    lexicon = _lexicon()
    lexicon.save(tmp_path / "polarity.npz")
    loaded = PolarityLexicon.load(tmp_path / "polarity.npz")
    texts = ["Good flight 😍", "nicht gut", "Service nul", "awful"]
    np.testing.assert_array_equal(loaded.matrix(texts), lexicon.matrix(texts))
    assert loaded.sizes == {"en": 2, "de": 2, "fr": 1, "emoji": 2}


def test_a_malformed_table_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "polarity.npz"
    np.savez(path, terms=np.frombuffer(b"good\nbad", dtype=np.uint8), values=np.zeros((3, 4), np.float32),
             sources=np.array(SOURCES))
    with pytest.raises(ModelFileError, match=r"polarity\.npz"):
        PolarityLexicon.load(path)
    with pytest.raises(ModelFileError, match="wakeful train"):
        PolarityLexicon.load(tmp_path / "missing.npz")


def test_shipped_tables_are_what_wakeful_train_builds_from_the_pinned_packages() -> None:
    shipped, built = PolarityLexicon.load(MODELS_DIR / "polarity.npz"), tables.build()
    assert shipped.index == built.index
    np.testing.assert_array_equal(shipped.values, built.values)
    assert min(shipped.sizes.values()) > 500
    assert _input(shipped, "Der Zug war pünktlich, super", "polarity:de+") > 0
    assert _input(shipped, "Service horrible", "polarity:fr-") > 0


def test_the_shipped_sentiment_model_reads_word_polarity() -> None:
    model = LinearSentiment()
    assert set(INPUTS) <= set(model.model.extra)
    texts, langs = ["Absolutely delightful crew", "nicht gut, gar nicht gut"], ["en", "de"]
    batch = model.predict_proba(texts, langs)
    single = np.stack([model.proba(t, lang) for t, lang in zip(texts, langs, strict=True)])
    np.testing.assert_allclose(batch, single, atol=1e-5)
    blind = LinearSentiment(model.features, model.model, PolarityLexicon.from_tables({}))
    assert not np.allclose(blind.predict_proba(texts, langs), batch, atol=1e-3)


def test_training_design_carries_polarity_inputs_only_with_a_lexicon() -> None:
    spec = next(s for s in train.SPECS if s.name == "sentiment")
    examples = [Example("awful flight", "negative", "toy", "en")]
    features = vocabulary.fit(["awful flight", "good flight"], min_df=1)
    columns = [features.size + spec.extra.index(n) for n in ("polarity:en-", "lang=en")]
    with_lexicon = train.design(features, spec, examples, _lexicon()).toarray()[0, columns]
    without = train.design(features, spec, examples).toarray()[0, columns]
    assert with_lexicon[0] > 0 and without[0] == 0
    assert with_lexicon[1] == without[1] == 1
