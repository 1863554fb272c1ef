"""A bounded in-process store of rendered answers (the API's JSON, the reader's post page)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable


class RenderedCache:
    """In-process LRU of serialised answers, bounded in bytes.

    Keys include the post's `threads_changed_at`, so a changed thread is never served stale:
    its new version simply misses, and the old entries age out.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple, bytes | str] = OrderedDict()
        self.lock = threading.Lock()
        self.builds = 0  # answers built, not found: how tests see that entries are reused

    def get_or_build(self, key: tuple, build: Callable[[], bytes | str]) -> bytes | str:
        with self.lock:
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
                return body
        body = build()
        self.builds += 1
        if len(body) <= self.max_bytes // 8:
            self._store(key, body)
        return body

    def _store(self, key: tuple, body: bytes | str) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = body
            self.size += len(body)
            while self.size > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0
