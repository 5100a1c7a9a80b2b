"""Write `metrics.json` and `MODEL_CARD.md` beside freshly trained models, from a test-split evaluation.

`wakeful eval --check` compares a later run with the `headline` figures in `metrics.json`, so the card and the
guard can never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wakeful.evaluation.analysis import evaluate, headline, lines
from wakeful.training import blas

PINNED_NOTE = ("on OpenBLAS's Haswell kernels on one thread (`wakeful.training.blas`), so the same seed writes the "
               "same files on every x86-64 CPU with AVX2: on a CPU's own kernels the sums' last bits differ, and "
               "complaint's averaged SGD grows them (GermEval complaint test macro-F1 0.606 to 0.634 across five "
               "kernels, airline 0.854 to 0.859).")
"""Where the training run ran: what makes it reproducible across machines."""
CARD_HEAD = """# wakeful analysis models

Linear models over one shared feature space (word uni/bigrams + character 2-5-grams inside word boundaries,
idf-weighted, L2-normalised; links, handles, the six airlines' names written out and cities or airports named
after an English travel word (`wakeful.analyze.places`: GeoNames cities, CC BY 4.0, and airportsdata's IATA codes)
are placeholders, so no head learns a brand's or a place's prior), trained by `wakeful train` with scikit-learn
(class-weighted logistic regression, one-vs-rest; averaged SGD or the exact L-BFGS fit, and its L2 strength,
picked on the validation splits) and exported as numpy arrays.
Sentiment is fitted NB-LR style (each feature scaled by its log-count ratio for the class, the scale folded into
the exported weights); topics weigh classes by the balanced weights to the power 0.75 and pick their L2 strength
on tagging micro-F1 and top-1 accuracy together. Inference is numpy only (`wakeful.analyze.linear`): no pickles,
no network, no model hub.

## Heads and training data
- **sentiment** (negative / neutral / positive): Twitter US Airline Sentiment (CrowdFlower, Feb 2015;
  CC BY-NC-SA 4.0), XLM-T multilingual tweet sentiment in ar, de, en, es, fr, hi, it, pt (Barbieri et al., 2022;
  the underlying SemEval and other sources' terms), GermEval 2017 Deutsche Bahn feedback (CC BY 4.0). The post's
  language is an input (per-language priors), and so is word polarity from four published lexicons
  (`wakeful.analyze.polarity`, tables in `polarity.npz`): VADER (MIT), the German Polarity Lexicon of Klenner et
  al. as textblob-de ships it (MIT), Pattern's French adjectives (PDDL) and the Emoji Sentiment Ranking (Kralj
  Novak et al., 2015; CC BY-SA 4.0). They name the polarity of words the few thousand labelled tweets per
  language never show (validation macro-F1 0.658 -> 0.665: airline 0.774 -> 0.786, XLM-T en 0.566 -> 0.624,
  de 0.676 -> 0.689, fr 0.632 -> 0.633). Each training language also has a specialist head, the same model fitted
  on that language's examples alone (`sentiment-<lang>.npz`); a post in that language gets the mean of the shared
  and the specialist head's probabilities, one in an unknown language the shared head alone (validation, shared
  -> mean: XLM-T de 0.689 -> 0.720, fr 0.633 -> 0.663, en 0.623 -> 0.619, GermEval 2017 0.336 -> 0.386, airline
  0.786 -> 0.793; the weight 0.5 was fixed beforehand, not tuned). A specialist ships only where the mean does
  not lower its language's validation macro-F1 (all of that language's validation posts): Portuguese's
  (0.597 -> 0.571) and Hindi's (0.364 -> 0.336) are left out, so those posts read the shared head alone.
  One more input, in every language: how many distinct strong problem phrases of the complaint lexicon (en, de,
  fr) the post has (`complaint.problem_inputs`). XLM-T's German and French tweets are general ones, so without it
  "Mon vol est annulé, je veux être remboursé" read as positive and "Flug gestrichen, keine Antwort" as neutral;
  the weight the airline tweets give the count carries across languages, as polarity's does. On labelled data it
  changes little (validation macro-F1, mean of seeds 0 and 1: airline 0.792 -> 0.794, XLM-T en 0.620 -> 0.626, de
  0.718 -> 0.713, fr 0.662 -> 0.666, GermEval 2017 0.386 -> 0.382, all within the seed spread); on the demo
  scenario's own complaint templates (our sentences, not a measurement) it reads German ones as negative 33 % ->
  48 % of the time and French ones 51 % -> 81 %, praise unchanged. A post with such a phrase reads the shared head
  alone: the specialists' data have few problem reports (XLM-T de 31 of 1,839 training tweets; GermEval 2017's 74
  are mostly news labelled neutral), and the German one read customer complaints as neutral with P near 1
  (validation macro-F1, mean -> shared alone where a phrase is found: airline 0.794 -> 0.793, XLM-T en 0.628 ->
  0.625, de and fr unchanged, GermEval 2017 0.386 -> 0.396).
- **complaint** (yes / no). A complaint is a report of a problem or of a broken expectation, which is not the same
  as negative sentiment. Labels: airline tweets that are negative *with a concrete reason* (any reason except
  "Can't Tell") are complaints, neutral and positive ones are not, negative ones without a reason are left out;
  GermEval 2017 documents that are relevant to the company *and* negative are complaints, all others are not;
  those complaints, the only labelled German ones, weigh 2 in training (trained at weight 1 and 2: GermEval
  validation macro-F1 0.665 -> 0.707, airline validation 0.846 -> 0.844).
  The v0 lexicon's cue counts (en/de/fr problem phrases) are inputs, which carries the model into French, where
  no labelled complaint data exists. At inference the probability is the larger of the model's and the v0
  lexicon rule's (`LEXICON_BACKOFF`), so plain problem reports outside the airline domain ("train late again")
  are not missed; but a post with a sentiment score of at least 0.3 and no strong problem cue takes the smaller
  of the two (`PRAISE_SCORE`), since the model reads travel words in thanks as grievances (validation: airline
  macro-F1 0.844 -> 0.856, GermEval unchanged; still the best of 0.2-0.6 with the polarity-fed sentiment). The
  figures below include both.
- **topics** (multi-label): airline negative reasons and GermEval 2017 aspect categories mapped to one
  airline/travel taxonomy (see `wakeful.training.data.AIRLINE_TOPICS` / `GERMEVAL_TOPICS`); "Can't Tell"
  tweets and documents about the company in general are kept as examples of no topic. An airline tweet weighs
  what its annotators agreed on its reason (`negativereason_confidence`, 0.34 to 1). Refunds and baggage fees
  have no labelled data and stay keyword rules.
- **offensive** (yes / no), for the legal-risk flag: TweetEval offensive (OLID, SemEval 2019) and GermEval 2018
  (CC BY 4.0).
- **sentiment-encoder** (opt-in, English only; `wakeful.analyze.encoder`, settings' `sentiment_encoder`):
  all-MiniLM-L6-v2 (Apache-2.0; a 6-layer transformer pretrained by others, installed from PyPI with the
  `encoder` extra and checked against the upstream file's SHA-256) with low-rank adapters (LoRA, rank 8, on
  attention's query and value and both feed-forward layers) and a 3-class head, fine-tuned by
  `wakeful train --encoder` on the English sentiment training splits (airline tweets and XLM-T English; 3 epochs,
  about 11 minutes on two cores). Only the adapters and head are committed (`sentiment-encoder.npz`). An English
  post gets a blend of its probabilities and the linear model's, the weight picked on validation; other languages
  read the linear model alone. It reads about a seventh as many posts a second as the default path, so the
  figures it reaches are shown beside the default models' (rows `encoder` below), not instead of them. Its
  complaint rows are the complaint model fed the encoder's sentiment score, as the desk decides with it on.

Splits: published ones where they exist (airline `split.csv`, XLM-T, TweetEval, GermEval 2018 test). GermEval
2017 has none: a fixed split by SHA-1 of the text (20 % test, 10 % val), `wakeful.training.data.text_split`; the
validation part of GermEval 2018's training file is chosen the same way (10 %).

Airline tweets are read as their authors wrote them: the published file replaced every "cancel" and "late", even
inside words, with its reason labels "Cancelled Flight" and "Late Flight" ("Cancelled Flightled", "Late Flightr"),
in train and test alike, a label pasted into the input that no real post carries.
`wakeful.ingest.datasets.restore_airline_text` undoes it for training, evaluation and replay. On the restored
test tweets, models trained on the file's text scored sentiment macro-F1 0.792, complaint 0.857 and topic
accuracy 0.690; trained on restored text 0.792, 0.861 and 0.694. Figures from before this (to 2026-12-07) were
measured on the file's text and are not comparable (topics 0.696 there).

**Licence note:** some training data are licensed CC BY-NC-SA 4.0 (airline tweets) or under research terms; the
weights derived from them carry that note: non-commercial use unless those data are replaced.
"""


# Issue 3's targets (task, data set, metric): set from published transformer figures; not to be lowered.
TARGETS = {("sentiment", "airline", "macro_f1"): 0.82, ("sentiment", "xlmt-de", "macro_f1"): 0.75,
           ("sentiment", "xlmt-fr", "macro_f1"): 0.70, ("sentiment", "xlmt-en", "macro_f1"): 0.68,
           ("topics", "airline", "accuracy"): 0.70}


def _targets(report: dict[str, Any]) -> list[str]:
    """The default models against the targets, with the opt-in English encoder (`analyze.encoder`) beside them
    where it was measured."""
    out = ["| target | measured | TF-IDF LR baseline | goal | gap | opt-in encoder |", "|---|---|---|---|---|---|"]
    for (task, source, metric), goal in TARGETS.items():
        systems = report[task][source]
        got = float(systems["model"][metric])
        tfidf = f"{float(systems['tfidf_lr'][metric]):.3f}" if "tfidf_lr" in systems else "-"
        encoded = "-"
        if "encoder" in systems:
            value = float(systems["encoder"][metric])
            encoded = f"{value:.3f} ({_gap(value, goal)})"
        out.append(f"| {task} {source} {metric} | {got:.3f} | {tfidf} | {goal:.2f} | {_gap(got, goal)} | {encoded} |")
    return out


def _gap(value: float, goal: float) -> str:
    return "met" if value >= goal else f"{value - goal:+.3f}"


# Published reference figures, from the data sets' README: XLM-T (fine-tuned on all eight languages), macro-F1 on
# each language's test split; GermEval 2017's best system, micro-F1 on the task's full synchronic test set.
PUBLISHED = {("sentiment", f"xlmt-{lang}", "macro_f1"): value for lang, value in
             {"en": 0.706, "de": 0.773, "fr": 0.712, "es": 0.679, "it": 0.691, "pt": 0.754, "ar": 0.669,
              "hi": 0.564}.items()} | {("sentiment", "germeval2017", "accuracy"): 0.75}


def _published(report: dict[str, Any]) -> list[str]:
    """The model beside the published figures for every data set that has one (single-label micro-F1 is
    accuracy); GermEval's is on another test set (the task's), so the two are not the same measurement."""
    out = ["| data set | metric | model | majority | TF-IDF LR | published |", "|---|---|---|---|---|---|"]
    for (task, source, metric), value in PUBLISHED.items():
        systems = report.get(task, {}).get(source)
        if systems is None:
            continue
        shown = "micro-F1 (= accuracy)" if metric == "accuracy" else "macro-F1"
        cells = [f"{float(systems[k][metric]):.3f}" if k in systems else "-" for k in ("model", "majority", "tfidf_lr")]
        out.append(f"| {task} {source} | {shown} | {' | '.join(cells)} | {value:.3f} |")
    return out


def _table(report: dict[str, Any]) -> list[str]:
    out = ["| task | data set | lang | n | model acc | model macro-F1 | baselines (macro-F1) |",
           "|---|---|---|---|---|---|---|"]
    for task, sources in report.items():
        for source, systems in sources.items():
            model = systems["model"]
            base = ", ".join(f"{name} {m['macro_f1']:.3f}" for name, m in systems.items()
                             if name not in ("lang", "model", "encoder"))
            out.append(f"| {task} | {source} | {systems['lang']} | {model['n']} | {model['accuracy']:.3f} | "
                       f"{model['macro_f1']:.3f} | {base} |")
    return out


def _below_baseline(report: dict[str, Any]) -> list[str]:
    """Where the shipped model's macro-F1 is under the TF-IDF LR baseline fitted on that data set alone: said
    in the card, not left for a reader to find in the table."""
    below = [f"{task} {source} ({systems['model']['macro_f1']:.3f} vs {systems['tfidf_lr']['macro_f1']:.3f})"
             for task, sources in report.items() for source, systems in sources.items()
             if "tfidf_lr" in systems and systems["model"]["macro_f1"] < systems["tfidf_lr"]["macro_f1"]]
    if not below:
        return ["The shipped models' macro-F1 is at or above the TF-IDF LR baseline on every data set."]
    return ["Below the TF-IDF LR baseline in macro-F1, which is fitted on each data set's own training split "
            "alone (XLM-T's eight languages together), where each shipped head is shared by all data sets "
            "(sentiment's with a per-language head beside it): " + "; ".join(below) + "."]


def write(models_dir: Path, training: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
    """Evaluate the models in `models_dir` on the test splits and write the metrics file and the card; on pinned
    BLAS kernels, as training (`blas`): the baselines beside the models are fitted here."""
    if blas.delegate():
        return blas.call_pinned(write, models_dir=models_dir, training=training, base=base)  # type: ignore[no-any-return]
    report = evaluate(base, models_dir)
    metrics = {"seed": training["seed"], "headline": headline(report), "report": report}
    (models_dir / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    heads = training["heads"]
    chosen = [f"- {name}: {h['fit']}, tag threshold {h['threshold']:.2f}, validation score "
              f"{h['validation']:.3f}, "
              f"{h['train_examples']:,} training / {h['val_examples']:,} validation examples"
              for name, h in heads.items()]
    card = [CARD_HEAD, "## Training run", f"Seed {training['seed']}, {training['features']:,} features, "
            f"{training['seconds']:.0f} s on this machine, " + PINNED_NOTE, *chosen, "",
            "## Held-out test figures (from `wakeful eval`, same run as the baselines)", *_table(report), "",
            *_below_baseline(report), "",
            "## Issue 3 targets", "Missed targets are the limit of linear n-gram models on 1,839 training tweets per "
            "language; the published figures come from a fine-tuned multilingual transformer. The TF-IDF LR "
            "baseline is the issue's own (`wakeful.evaluation.baselines`), refitted in this run.", "",
            *_targets(report), "",
            "Beside the published figures (XLM-T's on the same test splits; GermEval 2017's best on the task's full "
            "test set, where ours is a fixed 20% of half its development set):", "", *_published(report), "",
            "Per-class F1:", "```", *lines(report), "```", ""]
    (models_dir / "MODEL_CARD.md").write_text("\n".join(card), encoding="utf-8")
    return metrics
