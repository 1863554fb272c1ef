"""One reader per format other systems export, and the two formats Samtal writes.

``read(format, path)`` is the one entry point for imports; ``READERS`` names the formats (the
choices of ``comments import --format``). Every reader returns a complete ``Source`` or raises
``FormatError``: never a partial result.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..records import FormatError, Source
from ._sniff import guess_format
from .disqus import read_disqus
from .isso import read_isso
from .remark42 import read_remark42
from .samtal import read_samtal, write_samtal
from .wxr import read_wxr, write_wxr

__all__ = ["READERS", "guess_format", "read", "write_samtal", "write_wxr"]

READERS: dict[str, Callable[[str | os.PathLike], Source]] = {
    "wxr": read_wxr,
    "disqus": read_disqus,
    "isso": read_isso,
    "remark42": read_remark42,
    "samtal": read_samtal,
}


def read(format: str, path: str | os.PathLike) -> Source:
    """Read ``path`` as ``format`` (a key of READERS).

    FormatError for an unknown format or a file that is not of it; OSError, as usual, for a
    file that cannot be opened.
    """
    reader = READERS.get(format)
    if reader is None:
        raise FormatError(f"unknown format {format!r}; known: {', '.join(READERS)}")
    return reader(path)
