"""Rate-limit counters in the process's memory, for the embedded default (no Redis).

The `limits` library's memory:// storage starts a timer thread on every counted request to
drop expired counters, and that thread walks every counter each time: a thread start and a
walk per comment posted. Expired counters are already ignored when read, so dropping them is
only about memory; here it happens in the request itself, at most once a second.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "samtal-memory"
SWEEP_SECONDS = 1.0


class LazyMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  overrides the private hook
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
