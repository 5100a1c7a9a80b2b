"""`wakeful train` fits on pinned BLAS kernels (`wakeful.training.blas`): the kernels OpenBLAS picks per CPU sum in
different orders, which changed the features training reads in their last bits and, through averaged SGD, the
shipped complaint model visibly from one machine to the next."""

from __future__ import annotations

import functools
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wakeful.training import blas, card, language, train, vocabulary

needs_pinnable_cpu = pytest.mark.skipif(not blas.cpu_can_pin(), reason="CPU cannot run the pinned (Haswell) kernels")


def _texts() -> list[str]:
    rng = random.Random(0)
    words = [f"w{i}" for i in range(400)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(5, 40))) for _ in range(300)]


@pytest.fixture(autouse=True)
def _unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test process as a shell would start `wakeful train`: on this CPU's own kernels."""
    for name in blas.PINNED:
        monkeypatch.delenv(name, raising=False)


@needs_pinnable_cpu
def test_training_processes_run_on_the_pinned_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Sandybridge")  # what another machine would pick: overridden
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert blas.delegate()
    libraries = blas.call_pinned(blas.describe)
    assert libraries, "numpy and scipy load OpenBLAS"
    assert {(lib["architecture"], lib["threads"]) for lib in libraries} == {("Haswell", 1)}


@needs_pinnable_cpu
def test_feature_rows_follow_the_kernel_unless_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    rows = functools.partial(vocabulary.matrix, vocabulary.fit(texts, min_df=1), texts)

    def values(settings: dict[str, str]) -> bytes:
        data: np.ndarray = blas.run_in_child(rows, {}, settings).data
        return data.tobytes()

    haswell, nehalem = values({"OPENBLAS_CORETYPE": "Haswell"}), values({"OPENBLAS_CORETYPE": "Nehalem"})
    assert haswell != nehalem, "the kernels sum a row's norm (a float32 dot product) in different orders"
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Nehalem")
    assert blas.call_pinned(rows).data.tobytes() == haswell


def test_log_lines_reach_the_caller_from_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # the child imports `_logs` from this file
    lines: list[str] = []
    assert blas.call_pinned(functools.partial(_logs, "vocabulary: 3 terms"), lines.append) == 3
    assert lines == ["vocabulary: 3 terms", "done"]


def _logs(first: str, log: Any) -> int:
    log(first)
    log("done")
    return 3


def test_the_childs_exception_is_raised_here() -> None:
    with pytest.raises(ValueError, match="not a number") as raised:
        blas.call_pinned(functools.partial(int, "not a number"))
    assert "raised in the training process" in "".join(raised.value.__notes__)


def test_a_child_that_dies_is_reported() -> None:
    with pytest.raises(RuntimeError, match="failed in the training process started with"):
        blas.call_pinned(functools.partial(os._exit, 3))


def test_a_pinned_process_trains_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in blas.PINNED.items():
        monkeypatch.setenv(name, value.lower())
    assert blas.pinned_here() and not blas.delegate()


def test_a_cpu_without_avx2_trains_on_its_own_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx\n", encoding="utf-8")
    new.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 avx fma avx2 avx512f\n", encoding="utf-8")
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert not blas.cpu_can_pin(old) and blas.cpu_can_pin(new)
    assert not blas.cpu_can_pin(tmp_path / "missing")
    monkeypatch.setattr(blas, "CPUINFO", old)
    monkeypatch.setattr(blas.cpu_can_pin, "__defaults__", (old,))
    with pytest.warns(UserWarning, match="not pinned"):
        assert not blas.delegate()
    monkeypatch.setattr("platform.machine", lambda: "arm64")
    assert not blas.cpu_can_pin(new)


def test_training_entry_points_hand_themselves_to_the_pinned_child(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    calls: list[tuple[Any, Any, dict[str, Any]]] = []

    def fake(func: Any, log: Any = None, **kwargs: Any) -> str:
        calls.append((func, log, kwargs))
        return "from the child"

    monkeypatch.setattr(blas, "delegate", lambda: True)
    monkeypatch.setattr(blas, "call_pinned", fake)
    results: list[object] = [train.train(tmp_path, seed=3, base=tmp_path, log=print),
                             language.train(tmp_path, tmp_path / "language.npz", seed=3),
                             card.write(tmp_path, {"seed": 3}, tmp_path)]
    assert results == ["from the child"] * 3
    assert calls == [
        (train.train, print, {"out": tmp_path, "seed": 3, "base": tmp_path}),
        (language.train, None, {"base": tmp_path, "out": tmp_path / "language.npz", "seed": 3}),
        (card.write, None, {"models_dir": tmp_path, "training": {"seed": 3}, "base": tmp_path}),
    ]
    assert not (tmp_path / "training.json").exists()
