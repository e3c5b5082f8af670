"""``searchkit serve --watch``: keep the index in step with the seeds folder while the server runs.

File events are coalesced (a burst of writes becomes one incremental update) and applied through the
same :meth:`Index.update` as ``searchkit index``, in a thread so searches go on meanwhile. A file that
cannot be read is named in the log and skipped; no error stops the watcher or the server. When another
writer holds the index lock, the changes are applied on the next retry.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Optional

import watchfiles

from searchkit.cli.output import ALERT_HEADLINES
from searchkit.errors import SearchkitError
from searchkit.index.facade import Index

log = logging.getLogger("searchkit.serve")

#: Events closer together than this are applied as one update.
DEBOUNCE_MS = 250
#: How long an update waits for another writer's lock before trying again later.
LOCK_WAIT_SECONDS = 5.0
#: How often a failed update is retried when no new event arrives.
RETRY_MS = 5_000


class SeedsWatcher:
    """Applies changes under ``seeds_dir`` to ``index`` until :meth:`stop`."""

    def __init__(self, index: Index, seeds_dir: Path) -> None:
        self.index = index
        self.seeds_dir = seeds_dir
        self._stop = asyncio.Event()
        self._task: Optional[asyncio.Task[None]] = None
        self._behind = False  # the last update failed: retry even without a new event
        self._named: set[str] = set()  # unreadable files already named in the log

    async def start(self) -> None:
        """Catch up with changes made while nobody watched, then watch in the background."""
        await self._apply()
        self._task = asyncio.create_task(self._watch(), name="searchkit-watch")
        log.info("watching %s for new, changed and removed seed files", self.seeds_dir)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _watch(self) -> None:
        try:
            async for changes in watchfiles.awatch(
                self.seeds_dir, stop_event=self._stop, debounce=DEBOUNCE_MS, step=50,
                rust_timeout=RETRY_MS, yield_on_timeout=True, recursive=True,
            ):
                if changes or self._behind:
                    await self._apply()
        except Exception:  # the folder vanished or the OS watch failed: say so, keep serving
            log.exception("stopped watching %s", self.seeds_dir)

    async def _apply(self) -> None:
        try:
            report = await asyncio.to_thread(self.index.update, self.seeds_dir, wait=LOCK_WAIT_SECONDS)
        except SearchkitError as error:
            self._behind = True
            log.error("could not apply changes from %s (will retry): %s", self.seeds_dir, error)
            return
        except Exception:  # a bug must not take the server down: log it with its traceback and go on
            self._behind = True
            log.exception("could not apply changes from %s (will retry)", self.seeds_dir)
            return
        self._behind = False
        unreadable = {str(problem) for problem in report.skipped}
        for problem in sorted(unreadable - self._named):
            log.warning("skipped %s", problem)
        self._named = unreadable
        if report.added or report.updated or report.removed or report.rebuilt:
            log.info("index updated: %s", report.summary())
        for warning in (report.alerts_problem, report.stories_problem):
            if warning:
                log.warning("%s", warning)
        for name, found in report.alerts.items():
            headlines = "; ".join(match.headline for match in found[:ALERT_HEADLINES])
            more = f" (and {len(found) - ALERT_HEADLINES:,} more)" if len(found) > ALERT_HEADLINES else ""
            log.info("alert %s: %d new: %s%s", name, len(found), headlines, more)
