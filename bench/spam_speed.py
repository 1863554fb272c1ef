"""Speed of the spam scorer: training the default model, loading it, and score_text per second.

Runs pinned to one CPU core. Scores every YouTube comment and every Swedish
fixture comment, round after round, for at least ``--seconds`` seconds,
alternating runs without and with 200 words in the word lists (``--repeats``
of each; median and slowest reported). Results go to stdout; progress goes to
stderr.

    .venv/bin/python bench/spam_speed.py
"""

from __future__ import annotations

import os

# One core means one thread too; BLAS pools pinned to one core only get in each other's way.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from discussion.spam.model import (  # noqa: E402
    YOUTUBE_FILES,
    TextModel,
    default_model,
    load_labelled,
)
from discussion.spam.scoring import (  # noqa: E402
    WordLists,
    score_text,
)

FIXTURE = ROOT / "tests" / "fixtures" / "swedish_ham.tsv"
COLD_LOAD = (
    "import sys, time; t = time.perf_counter(); "
    "from discussion.spam import TextModel; u = time.perf_counter(); "
    "TextModel.load(sys.argv[1]); print(u - t, time.perf_counter() - u)"
)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def throughput(
    model: TextModel, texts: list[str], seconds: float, lists: WordLists | None
) -> float:
    """Comments per second over whole rounds of ``texts``, for at least ``seconds``."""
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            score_text(model, text, name="Anna", word_lists=lists)
        done += len(texts)
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per throughput run")
    parser.add_argument("--repeats", type=int, default=3, help="runs with and without word lists")
    args = parser.parse_args()
    progress(pin_to_one_core())

    progress("training the default model")
    started = time.perf_counter()
    model = default_model()
    print(f"train_default_model_s={time.perf_counter() - started:.2f}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spam.joblib"
        model.save(path)
        print(f"model_file_mb={path.stat().st_size / 1e6:.1f}")
        progress("loading it five times in this process")
        warm = []
        for _ in range(5):
            started = time.perf_counter()
            TextModel.load(path)
            warm.append(time.perf_counter() - started)
        print(f"load_s_median={statistics.median(warm):.3f}")
        progress("loading it in a fresh interpreter, imports included")
        cold = subprocess.run(
            [sys.executable, "-c", COLD_LOAD, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        imports, load = map(float, cold.stdout.split())
        print(f"fresh_process_import_s={imports:.3f} fresh_process_load_s={load:.3f}")

    texts = [text for text, _ in load_labelled([*YOUTUBE_FILES, FIXTURE])]
    lists = WordLists(
        banned=[f"förbjudet{i}" for i in range(100)], suspect=[f"misstänkt{i}" for i in range(100)]
    )
    progress(f"scoring {len(texts)} comments per round, {args.repeats} x {args.seconds:g} s each")
    plain, listed = [], []
    for _ in range(args.repeats):
        plain.append(throughput(model, texts, args.seconds, None))
        listed.append(throughput(model, texts, args.seconds, lists))
    print(f"comments_per_s_median={statistics.median(plain):.0f} min={min(plain):.0f}")
    print(
        f"comments_per_s_with_200_listed_words_median={statistics.median(listed):.0f} "
        f"min={min(listed):.0f}"
    )


if __name__ == "__main__":
    main()
