"""Index calls from the server run on a few worker threads, each under a time budget.

The event loop never blocks on the index. A call that outlives the budget answers
:class:`~searchkit.errors.SearchTimeoutError` (HTTP 503) at once; its thread finishes in the background
(every query is bounded by the query caps, so none runs forever), and a call still waiting for a free
thread when its budget ends is dropped without running.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from searchkit.errors import SearchTimeoutError

Result = TypeVar("Result")

#: Seconds one search, article or stats request may take before the server answers 503.
DEFAULT_BUDGET_SECONDS = 10.0
#: Worker threads for index calls; each keeps its own reader open.
DEFAULT_WORKERS = 4


class TimeBudget:
    """Runs blocking index calls on ``workers`` threads, each allowed ``seconds``."""

    def __init__(self, seconds: float = DEFAULT_BUDGET_SECONDS, workers: int = DEFAULT_WORKERS) -> None:
        self.seconds = seconds
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="searchkit-search")

    async def run(self, call: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        """``call(*args, **kwargs)`` on a worker thread; raises :class:`SearchTimeoutError` past the
        budget."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, functools.partial(call, *args, **kwargs))
        try:
            return await asyncio.wait_for(future, self.seconds)
        except asyncio.TimeoutError:
            raise SearchTimeoutError(self.seconds) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
