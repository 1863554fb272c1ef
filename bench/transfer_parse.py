"""Speed and memory of reading a big WordPress export (WXR) with ``read_wxr``.

Writes a WXR file of ``--comments`` comments (default 100,000, about 60 MB) in a temporary
folder with ``write_wxr``: 50 comments a post, every third a reply, bodies of typed text with
blank lines, a share of them (``--html-share``) with a link or emphasis, which is what costs
(those go through the HTML parser). Then reads it once in a fresh process, so that the time and
the peak memory are the reader's alone. Progress goes to stderr, the result to stdout.

    .venv/bin/python bench/transfer_parse.py
    .venv/bin/python bench/transfer_parse.py --comments 20000 --html-share 0
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from discussion.transfer.formats import write_wxr  # noqa: E402

COMMENTS_PER_POST = 50
SENTENCE = (
    "jag tycker att det här är en bra fråga men svaret beror på vem man frågar och "
    "vilken sorts jobb det gäller så kanske inte alla håller med om det över huvud taget"
)
WORDS = SENTENCE.split(" ")
READ_ONE = """
import resource, sys, time
from discussion.transfer.formats import read
started, cpu_started = time.perf_counter(), time.process_time()
source = read("wxr", sys.argv[1])
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(len(source.comments), len(source.threads), len(source.problems), seconds, cpu, peak)
"""


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def body(chance: random.Random, html_share: float) -> str:
    paragraphs = []
    for _ in range(chance.randint(1, 3)):
        words = chance.choices(WORDS, k=chance.randint(8, 35))
        paragraphs.append(" ".join(words).capitalize() + ".")
    text = "\n\n".join(paragraphs)
    if chance.random() < html_share:
        text += ' Läs <a href="https://example.se/artikel">den här</a>, <em>verkligen</em>.'
    return text


def items(count: int, html_share: float):
    chance = random.Random(20131001)
    start = datetime(2013, 1, 1)
    comment_id = 0
    for post_number in range(1, count // COMMENTS_PER_POST + 1):
        first = comment_id + 1
        comments = []
        for _ in range(COMMENTS_PER_POST):
            comment_id += 1
            parent = (
                chance.randint(first, comment_id - 1)
                if comment_id % 3 == 0 and comment_id > first
                else 0
            )
            comments.append(
                {
                    "id": comment_id,
                    "parent": parent,
                    "author": f"Läsare {comment_id % 997} Åström",
                    "email": f"lasare{comment_id % 997}@example.se",
                    "url": "",
                    "ip": f"192.0.2.{comment_id % 250}",
                    "date_gmt": start + timedelta(minutes=comment_id),
                    "content": body(chance, html_share),
                }
            )
        if post_number % 200 == 0:
            progress(f"written {comment_id:,} comments")
        yield {
            "title": f"Inlägg nummer {post_number}",
            "link": f"https://blogg.example.se/inlagg-{post_number}",
            "slug": f"inlagg-{post_number}",
            "post_id": post_number,
            "date": date(2013, 1, 1) + timedelta(days=post_number % 365),
            "content_html": "<p>Ett inlägg.</p>",
            "comments": comments,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--html-share", type=float, default=0.2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xml"
        progress(f"writing {options.comments:,} comments to {path}")
        started = time.perf_counter()
        with open(path, "w", encoding="utf-8") as stream:
            write_wxr(
                stream,
                "Bloggen",
                "https://blogg.example.se",
                items(options.comments, options.html_share),
            )
        size = path.stat().st_size / 1024 / 1024
        progress(f"wrote {size:.1f} MB in {time.perf_counter() - started:.1f} s; reading it")
        result = subprocess.run(
            [sys.executable, "-c", READ_ONE, str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        comments, threads, problems, seconds, cpu, peak = result.stdout.split()
        print(
            f"read {int(comments):,} comments in {int(threads):,} threads "
            f"({int(problems)} problems) from {size:.1f} MB in {float(seconds):.2f} s "
            f"({float(cpu):.2f} s of CPU), {int(comments) / float(seconds):,.0f} comments/s, "
            f"peak memory {float(peak):.0f} MB (html share {options.html_share:.0%}, "
            f"load average {os.getloadavg()[0]:.2f})"
        )


if __name__ == "__main__":
    main()
