"""Background threads of this process, at most one per (database, survey) for each kind of work: the free-text
analysis job and the survey-model refresh share this. Other processes and instances are kept out by the
database leases the jobs themselves take."""

from __future__ import annotations

import threading
from collections.abc import Callable


class OnePerSurvey:
    """Starts a daemon thread for a slot unless one started here for that slot is still running."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._threads: dict[tuple[str, str], threading.Thread] = {}
        self._lock = threading.Lock()

    def start(self, slot: tuple[str, str], target: Callable[..., None], *args: object) -> bool:
        """Returns whether a new thread was started."""
        with self._lock:
            running = self._threads.get(slot)
            if running is not None and running.is_alive():
                return False
            thread = threading.Thread(target=target, args=args, daemon=True, name=f"{self.kind}-{slot[1]}")
            self._threads[slot] = thread
            thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the threads started here (tests, and a clean shutdown)."""
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
