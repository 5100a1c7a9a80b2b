"""`wakeful train` and `wakeful eval`: fit the shipped analysis models, and measure the desk on held-out data.

`eval` has sections: `analysis` (the models on test splits beside VADER, v0 rules and majority baselines),
`risk` (from `wakeful.evaluation.risk`, when present), `language` (coverage and accuracy of the language
detector beside lingua, `wakeful.evaluation.language`) and `replies` (relevance of the similar past replies the
case page suggests, leaving one TWCS thread out, beside the cosine-only baseline, `wakeful.evaluation.replies`).
`--check` fails when a default analysis figure falls more than two points below the one committed in
`analyze/models/metrics.json`; CI runs it."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from wakeful.analyze.linear import MODELS_DIR

console = Console()
SECTIONS = ("analysis", "risk", "language", "replies")


def _committed(models_dir: Path) -> dict[str, float]:
    path = models_dir / "metrics.json"
    if not path.is_file():
        raise typer.BadParameter(f"no committed metrics at {path}; run `wakeful train` first")
    headline = json.loads(path.read_text(encoding="utf-8")).get("headline")
    if not isinstance(headline, dict):
        raise typer.BadParameter(f"{path} has no 'headline' figures")
    return {str(k): float(v) for k, v in headline.items()}


def _risk(seed: int) -> tuple[dict[str, Any], list[str]] | None:
    """The risk section, imported lazily: it lives in its own module and may not exist in this checkout."""
    try:
        risk = importlib.import_module("wakeful.evaluation.risk")
    except ModuleNotFoundError as exc:
        if exc.name != "wakeful.evaluation.risk":
            raise
        return None
    report: dict[str, Any] = risk.evaluate(seed=seed)
    return report, list(risk.lines(report))


def register(app: typer.Typer) -> None:
    """Add `train` and `eval` to the `wakeful` app."""

    @app.command()
    def train(
        seed: Annotated[int, typer.Option(help="Seed for the optimiser; same seed and data, same models")] = 0,
        out: Annotated[Path, typer.Option(help="Where to write the models, metrics.json and MODEL_CARD.md")] =
            MODELS_DIR,
        data_dir: Annotated[Path | None, typer.Option(help="Labelled data folder (default: ../shared/data)")] = None,
        encoder: Annotated[bool, typer.Option(help="Only fine-tune the opt-in English sentiment encoder's adapter "
                                              "(about 11 minutes on two cores; needs the 'encoder' extra)")] = False,
    ) -> None:
        """Train the sentiment, complaint, topic, offensive and language models from the labelled data, then
        evaluate them on the test splits and write the model card."""
        if encoder:
            from wakeful.analyze.encoder import ADAPTER_FILE
            from wakeful.training.encoder import train_encoder

            done = train_encoder(out, seed=seed, base=data_dir, log=lambda line: console.print(line, soft_wrap=True))
            console.print(f"wrote {out / ADAPTER_FILE} (blend {done['blend']:g}, validation macro-F1 "
                          f"{done['validation']:.3f}); `wakeful train` without --encoder rewrites the model card")
            return
        from wakeful.training import card
        from wakeful.training.train import train as fit

        chosen = fit(out, seed=seed, base=data_dir, log=lambda line: console.print(line, soft_wrap=True))
        metrics = card.write(out, chosen, data_dir)
        console.print(f"wrote models, metrics.json and MODEL_CARD.md to {out} ({len(metrics['headline'])} figures)")
        from wakeful.training import language as language_training

        lang = language_training.train(data_dir, out / "language.npz", seed=seed)
        console.print(f"language: wrote {lang.path} (validation accuracy {lang.val_accuracy:.3f} of the "
                      f"{lang.val_coverage:.0%} it answers)")

    @app.command("eval")
    def eval_(
        section: Annotated[list[str] | None, typer.Option(help="analysis, risk, language, replies (repeatable)")] =
            None,
        json_path: Annotated[Path | None, typer.Option("--json", help="Also write the figures as JSON here")] = None,
        check: Annotated[bool, typer.Option(help="Exit 1 if an analysis figure drops >2 points below the card")] =
            False,
        seed: Annotated[int, typer.Option(help="Seed for sections that simulate (risk)")] = 0,
        data_dir: Annotated[Path | None, typer.Option(help="Labelled data folder (default: ../shared/data)")] = None,
        models_dir: Annotated[Path, typer.Option(help="Models to evaluate")] = MODELS_DIR,
    ) -> None:
        """Accuracy, macro-F1 and per-class F1 on held-out test splits, beside baselines from the same run."""
        chosen = section or list(SECTIONS)
        unknown = [s for s in chosen if s not in SECTIONS]
        if unknown:
            raise typer.BadParameter(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        results: dict[str, Any] = {}
        failures: list[str] = []
        if "analysis" in chosen:
            from wakeful.evaluation import analysis

            report = analysis.evaluate(data_dir, models_dir)
            results["analysis"] = report
            for line in analysis.lines(report):
                console.print(line, markup=False, highlight=False)
            if check:
                failures = analysis.check(report, _committed(models_dir))
        if "risk" in chosen:
            risk = _risk(seed)
            if risk is None:
                console.print("risk: skipped (wakeful.evaluation.risk is not in this version)")
            else:
                results["risk"] = risk[0]
                for line in risk[1]:
                    console.print(line, markup=False, highlight=False)
        if "language" in chosen:
            from wakeful.evaluation import language

            results["language"] = language.evaluate(data_dir)
            for line in language.lines(results["language"]):
                console.print(line, markup=False, highlight=False)
        if "replies" in chosen:
            from wakeful.evaluation import replies

            results["replies"] = replies.evaluate(data_dir)
            for line in replies.lines(results["replies"]):
                console.print(line, markup=False, highlight=False, soft_wrap=True)
        if json_path is not None:
            json_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            console.print(f"wrote {json_path}")
        if check:
            for failure in failures:
                console.print(f"[red]regression[/red] {failure}")
            if failures:
                raise typer.Exit(1)
            console.print("check: every analysis figure is within 2 points of the model card")
