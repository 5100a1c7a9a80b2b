"""`wakeful eval`: figures come from the test splits only, beside baselines, and `--check` guards the card."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from wakeful.analyze.linear import MODELS_DIR
from wakeful.cli import app
from wakeful.evaluation.analysis import check, headline
from wakeful.ingest.datasets import default_data_dir
from wakeful.training import data

DATA = default_data_dir()
pytestmark = pytest.mark.skipif(not (DATA / "airline-tweets").is_dir(), reason=f"labelled data not found in {DATA}")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One CLI run for the module: the analysis section with --check and --json."""
    out = tmp_path_factory.mktemp("eval") / "eval.json"
    result = CliRunner().invoke(app, ["eval", "--section", "analysis", "--check", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "check: every analysis figure is within 2 points" in result.output
    analysis: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))["analysis"]
    return analysis


def _airline_test_rows() -> int:
    with (DATA / "airline-tweets" / "split.csv").open(encoding="utf-8", newline="") as fh:
        return sum(1 for r in csv.DictReader(fh) if r["split"] == "test")


def test_every_figure_is_counted_on_the_test_split(report: dict[str, Any]) -> None:
    sentiment = report["sentiment"]
    assert sentiment["airline"]["model"]["n"] == _airline_test_rows()
    for folder, code in data.XLMT_LANGUAGES.items():
        assert sentiment[f"xlmt-{code}"]["model"]["n"] == len(data.xlmt(folder, "test"))
    assert sentiment["germeval2017"]["model"]["n"] == len(data.germeval2017_rows("test"))
    offensive_test = len((DATA / "tweeteval" / "offensive" / "test_labels.txt").read_text().split())
    assert report["offensive"]["tweeteval"]["model"]["n"] == offensive_test


def test_germeval2017_test_documents_never_appear_in_training() -> None:
    test = {r["text"] for r in data.germeval2017_rows("test")}
    train = {r["text"] for r in data.germeval2017_rows("train")} | {r["text"] for r in data.germeval2017_rows("val")}
    assert test and not test & train


def test_each_task_stands_beside_its_baselines(report: dict[str, Any]) -> None:
    assert set(report) == {"sentiment", "complaint", "topics", "offensive"}
    assert {"model", "tfidf_lr", "vader", "majority"} <= set(report["sentiment"]["xlmt-de"])
    assert {"model", "v0_lexicon", "vader_negative", "majority"} <= set(report["complaint"]["airline"])
    assert {"precision", "recall"} <= set(report["complaint"]["germeval2017"]["model"])
    assert {"model", "v0_keywords", "majority"} <= set(report["topics"]["airline"])
    # The trained models beat the majority class everywhere they are measured.
    for task, sources in report.items():
        for source, systems in sources.items():
            if "majority" in systems:
                assert systems["model"]["macro_f1"] > systems["majority"]["macro_f1"], (task, source)


def test_the_tfidf_baseline_is_the_one_the_issue_measured(report: dict[str, Any]) -> None:
    """Issue 3 quotes a word+char TF-IDF logistic regression at airline 0.77 and XLM-T de/fr/en 0.63/0.59/0.53
    macro-F1; the refitted baseline must be that one, or 'beside the baseline' compares with something else."""
    quoted = {"airline": 0.77, "xlmt-de": 0.63, "xlmt-fr": 0.59, "xlmt-en": 0.53}
    for source, figure in quoted.items():
        assert report["sentiment"][source]["tfidf_lr"]["macro_f1"] == pytest.approx(figure, abs=0.01), source


def test_the_committed_card_matches_this_run(report: dict[str, Any]) -> None:
    committed = json.loads((MODELS_DIR / "metrics.json").read_text(encoding="utf-8"))["headline"]
    assert check(report, committed) == []
    assert headline(report).keys() == committed.keys()


def test_check_fails_on_a_drop_of_more_than_two_points() -> None:
    report = {"sentiment": {"airline": {"lang": "en", "model": {"accuracy": 0.80, "macro_f1": 0.75}}}}
    assert check(report, {"sentiment.airline.accuracy": 0.81, "sentiment.airline.macro_f1": 0.76}) == []
    failures = check(report, {"sentiment.airline.macro_f1": 0.78, "topics.airline.accuracy": 0.7})
    assert [f.split(":")[0] for f in failures] == ["sentiment.airline.macro_f1", "topics.airline.accuracy"]


def test_unknown_section_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["eval", "--section", "vibes"])
    assert result.exit_code != 0
    assert "unknown section vibes" in result.output


def test_the_card_sets_the_model_beside_the_published_figures(report: dict[str, Any]) -> None:
    """GermEval 2017's published best is micro-F1, which for one label per document is accuracy: the card shows
    the model's accuracy beside it (and beside majority, which the model does not beat there), not its macro-F1."""
    from wakeful.training.card import _published

    rows = {line.split(" | ")[0].lstrip("| "): line for line in _published(report)[2:]}
    germeval = report["sentiment"]["germeval2017"]
    assert rows["sentiment germeval2017"] == (
        f"| sentiment germeval2017 | micro-F1 (= accuracy) | {germeval['model']['accuracy']:.3f} | "
        f"{germeval['majority']['accuracy']:.3f} | {germeval['tfidf_lr']['accuracy']:.3f} | 0.750 |")
    assert rows["sentiment xlmt-de"].endswith("| 0.773 |") and len(rows) == 9


def test_the_opt_in_encoder_stands_beside_the_model_on_english_data(report: dict[str, Any]) -> None:
    """The encoder's rows are measured on the same test posts, and may not fall more than two points below the
    committed figures either (the `encoder` extra is part of the dev install, so CI has it)."""
    committed = json.loads((MODELS_DIR / "metrics.json").read_text(encoding="utf-8"))["report"]["sentiment"]
    for source in ("airline", "xlmt-en"):
        systems = report["sentiment"][source]
        assert systems["encoder"]["n"] == systems["model"]["n"]
        assert systems["encoder"]["macro_f1"] >= committed[source]["encoder"]["macro_f1"] - 0.02, source
    assert "encoder" not in report["sentiment"]["xlmt-de"]


def test_complaints_are_also_measured_as_the_desk_decides_them_with_the_encoder_on(report: dict[str, Any]) -> None:
    """With the encoder on, the complaint model reads the encoder's sentiment score for English posts, so the
    complaint figures differ from the default path's: they get rows of their own, on the same posts, guarded
    like the others. German data has no encoder row."""
    committed = json.loads((MODELS_DIR / "metrics.json").read_text(encoding="utf-8"))["report"]["complaint"]
    for source in ("airline", "xlmt"):
        systems = report["complaint"][source]
        assert systems["encoder"]["n"] == systems["model"]["n"], source
        assert systems["encoder"]["macro_f1"] >= committed[source]["encoder"]["macro_f1"] - 0.02, source
    assert {"precision", "recall"} <= set(report["complaint"]["airline"]["encoder"])
    assert "encoder" not in report["complaint"]["germeval2017"]
