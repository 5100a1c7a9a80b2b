"""Training runs on one fixed set of BLAS kernels, so `wakeful train --seed 0` writes the same files on every machine.

numpy and scipy ship OpenBLAS built with DYNAMIC_ARCH: it picks its kernels for the CPU it finds when it is loaded
(AVX-512 machines get 'SkylakeX', most other x86-64 machines 'Haswell', older ones 'Sandybridge'...), and the
kernels sum in different orders. Training reads those sums: a post's feature norm is a float32 dot product
(`Featurizer.row`), and the language model's L-BFGS steps are BLAS calls. Their last bits follow the CPU, and
averaged SGD with weak regularisation grows them into visibly different models (measured on one Xeon by forcing
each kernel: complaint weights up to 1.4 apart, GermEval complaint test macro-F1 0.631 on Haswell kernels against
0.616 on SkylakeX's; language weights up to 0.53). The thread count changed nothing there, but OpenBLAS splits
long sums across threads, so a machine with more cores could.

OpenBLAS reads OPENBLAS_CORETYPE only when it is loaded, long before a command runs, so the training functions
hand their work to a child Python started with `PINNED` in its environment: the Haswell kernels, which the
shipped models were trained with and which any x86-64 CPU with AVX2 and FMA runs (AVX-512 ones included), on one
thread. A CPU without them (or not x86-64) trains on its own kernels, with a warning that the files may differ
from the shipped ones. numpy's own SIMD loops also vary by CPU, but limiting them to AVX2 or to the baseline
(NPY_DISABLE_CPU_FEATURES) on Haswell kernels changed neither the complaint nor the language model by a byte, and
a retrain pinned so on that AVX-512 Xeon wrote every shipped model file byte for byte, so they are left alone.
"""

from __future__ import annotations

import os
import pickle
import platform
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

PINNED = {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"}
NEEDS = ("avx2", "fma")  # CPU flags the Haswell kernels use
CPUINFO = Path("/proc/cpuinfo")


def pinned_here() -> bool:
    """Whether this process was started with the pinned BLAS settings (OpenBLAS read them as it loaded)."""
    return all(os.environ.get(name, "").casefold() == value.casefold() for name, value in PINNED.items())


def cpu_can_pin(cpuinfo: Path = CPUINFO) -> bool:
    """Whether this CPU runs the pinned kernels: x86-64 with AVX2 and FMA, as the kernel reports them (Linux).
    OpenBLAS does not check a forced core type, so pinning Haswell on a CPU without AVX2 would crash."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return all(flag in flags for flag in NEEDS)


def delegate() -> bool:
    """Whether a training function should run in a pinned child (`call_pinned`) rather than here: not when this
    process is pinned already, nor when the CPU cannot run the pinned kernels (then it warns and trains here)."""
    if pinned_here():
        return False
    if not cpu_can_pin():
        warnings.warn("BLAS kernels not pinned (the CPU lacks AVX2/FMA or is not x86-64): models trained here may "
                      "differ from the shipped ones in their last bits, and complaint's by more", stacklevel=3)
        return False
    return True


def call_pinned(func: Callable[..., Any], log: Callable[[str], None] | None = None, **kwargs: Any) -> Any:
    """`func(**kwargs)` run in a child Python whose environment has `PINNED`; returns what it returns. With
    `log`, the child calls `func(..., log=...)` with a printer and each line it prints reaches `log` as it comes."""
    return run_in_child(func, kwargs, PINNED, log)


def run_in_child(func: Callable[..., Any], kwargs: dict[str, Any], settings: dict[str, str],
                 log: Callable[[str], None] | None = None) -> Any:
    """`call_pinned` with other environment `settings` (the tests use it to show what an unpinned kernel does)."""
    env = os.environ | settings | {"PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryDirectory(prefix="wakeful-train-") as tmp:
        job, result = Path(tmp) / "job.pickle", Path(tmp) / "result.pickle"
        job.write_bytes(pickle.dumps((func, kwargs, log is not None)))
        code = "import sys; from wakeful.training.blas import _child; _child(sys.argv[1], sys.argv[2])"
        with subprocess.Popen([sys.executable, "-c", code, str(job), str(result)], env=env, stdout=subprocess.PIPE,
                              text=True, encoding="utf-8") as child:
            assert child.stdout is not None
            for line in child.stdout:
                if log is not None:
                    log(line.rstrip("\n"))
        if child.returncode != 0 or not result.exists():
            raise RuntimeError(f"{getattr(func, '__qualname__', func)} failed in the training process started "
                               f"with {settings} (exit status {child.returncode}; its error is above)")
        done, value = pickle.loads(result.read_bytes())
    if not done:
        raise value  # the child's own exception (e.g. DataMissing, which the CLI reports in one line)
    return value


def _child(job: str, result: str) -> None:
    """Run the pickled call; write (True, its value) or (False, the exception it raised, with the child's
    traceback as a note) for the parent."""
    func, kwargs, logs = pickle.loads(Path(job).read_bytes())
    if logs:
        kwargs["log"] = lambda line: print(line, flush=True)
    try:
        outcome: tuple[bool, Any] = (True, func(**kwargs))
    except Exception as exc:
        exc.add_note("raised in the training process:\n" + traceback.format_exc())
        outcome = (False, exc)
    try:
        data = pickle.dumps(outcome)
    except Exception:  # an exception that does not pickle: its text
        data = pickle.dumps((False, RuntimeError(traceback.format_exc())))
    Path(result).write_bytes(data)


def describe() -> list[dict[str, Any]]:
    """The BLAS libraries numpy, scipy and scikit-learn loaded in this process: kernel architecture and threads."""
    import scipy.optimize  # noqa: F401  (loads scipy's own OpenBLAS, which L-BFGS uses)
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_info  # type: ignore[import-untyped]  # scikit-learn requires it

    return [{"library": info.get("filepath", "").rsplit("/", 1)[-1], "architecture": info.get("architecture"),
             "threads": info.get("num_threads"), "version": info.get("version")}
            for info in threadpool_info() if info.get("user_api") == "blas"]


def summary() -> str:
    """One line for the training log: which BLAS kernels this process trains on."""
    kernels = sorted({f"{lib['architecture']} on {lib['threads']} thread{'s' if lib['threads'] != 1 else ''}"
                      for lib in describe()})
    state = "pinned" if pinned_here() else "NOT pinned, this CPU's own"
    return f"BLAS kernels: {', '.join(kernels) or 'none found'} ({state}; see wakeful.training.blas)"
