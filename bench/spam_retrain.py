"""Retraining the spam model on 200,000 moderators' decisions: its time and peak memory.

Seeds a fresh SQLite site with N comments (default 200,000), each with a moderator's decision
(spam or approve), their texts made from two halves of shipped labelled comments, made-up
words and a serial number, so each is distinct. Then runs ``spam.store.retrain`` (what the
periodic task runs) in a child process and reports its wall time, CPU time and peak resident memory
(``ru_maxrss`` of the child, from ``resource.getrusage(RUSAGE_CHILDREN)``), so the seeding
does not count.

    .venv/bin/python bench/spam_retrain.py
    .venv/bin/python bench/spam_retrain.py --decisions 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.spam_site import site_app, store_decisions  # noqa: E402
from discussion.spam import model as spam  # noqa: E402


def decisions(count: int, seed: int = 14) -> list[tuple[str, int]]:
    """Distinct labelled texts: the first half of one shipped comment, the second of another
    of the same label, three words from a made-up vocabulary of 50,000 (so the n-gram
    vocabulary grows as a real site's would) and a serial number."""
    rng = random.Random(seed)
    texts, labels, _ = spam.shipped_training_set()
    by_label = {
        label: [t for t, lab in zip(texts, labels, strict=True) if lab == label] for label in (0, 1)
    }
    letters = "abcdefghijklmnopqrstuvwxyzåäö"
    words = ["".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(50_000)]
    made = []
    for number in range(count):
        label = int(rng.random() < 0.4)
        first, second = rng.choice(by_label[label]), rng.choice(by_label[label])
        extra = " ".join(rng.choices(words, k=3))
        made.append(
            (f"{first[: len(first) // 2]} {extra} {second[len(second) // 2 :]} #{number}", label)
        )
    return made


def retrain_child(folder: str) -> None:
    """In the child: retrain once and print how long it took."""
    from discussion.spam import store

    app = site_app(Path(folder), create=False)
    with app.app_context():
        started = time.perf_counter()
        model = store.retrain(progress=lambda message: print(message, file=sys.stderr, flush=True))
        print(f"{time.perf_counter() - started:.1f} {model.version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        retrain_child(args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        app = site_app(Path(folder))
        started = time.perf_counter()
        with app.app_context():
            store_decisions(decisions(args.decisions))
        print(
            f"seeded {args.decisions} decisions in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        result = subprocess.run(
            [sys.executable, __file__, "--child", folder],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        seconds, version = result.stdout.split()[-2:]
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mib = child.ru_maxrss / 1024
        cpu = child.ru_utime + child.ru_stime
        print(
            f"decisions={args.decisions} retrain_seconds={seconds} "
            f"cpu_seconds={cpu:.1f} peak_rss_mib={peak_mib:.0f} model={version}"
        )


if __name__ == "__main__":
    main()
