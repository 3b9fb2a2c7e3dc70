"""Where the build's per-report work runs: here, in a local process pool, or on Dask.

The build hands an executor a function, an ordered stream of tasks and the set-up the
function needs (an initializer and its arguments: the cleaning rules and catalog for
pass 1, the segmenter's dictionary for pass 2). Every executor yields the results in
task order and keeps at most ``ahead`` tasks per worker in flight, so the main process,
which writes the tables, never holds more than a few batches. Same tasks, same order,
same writer: the tables are byte for byte the same whichever executor ran them (tested).

- :class:`LocalPool` (the default): ``multiprocessing``, forked where the system allows
  so that workers inherit the set-up instead of loading it again.
- :class:`DaskExecutor`: tasks are Dask futures on a ``distributed`` cluster. The set-up
  is scattered to every worker once per pass; a worker runs the initializer the first
  time it meets that set-up. Reports are read by the workers from their paths, so on a
  cluster of several machines the folder must be on a file system they all mount.
"""
from __future__ import annotations

import multiprocessing
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

DASK_INSTALL = "pip install -e '.[dask]'  (or: pip install 'dask[distributed]')"


class Throttle:
    """Feed a pool no more than ``limit`` items ahead of what the main process has consumed,
    so finished results never pile up in memory when writing is the slower side."""

    def __init__(self, items, limit: int):
        self.items, self.limit = iter(items), limit
        self.sent = self.done = 0
        self.cond = threading.Condition()

    def __iter__(self):
        for item in self.items:
            with self.cond:
                self.cond.wait_for(lambda: self.sent - self.done < self.limit)
                self.sent += 1
            yield item

    def consumed(self):
        with self.cond:
            self.done += 1
            self.cond.notify()


class LocalPool:
    """``workers`` processes on this machine (1: everything runs here)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")

    def describe(self) -> str:
        return f"{self.workers} local process{'es' if self.workers != 1 else ''}"

    def map(self, func, tasks, initializer, initargs, ahead: int, first_here: bool = False, when_forked=None):
        """Ordered results of ``func`` over ``tasks``.

        The state is set up here (``initializer``), and forked workers inherit it instead of
        loading it again (spawned ones, on Windows, run the initializer themselves); with
        ``first_here`` the first task runs here too, so that they also inherit every pattern
        it compiled on first use. ``when_forked`` is called once the workers exist (at once when
        there are none): work it starts in a thread here is never copied half-done into a worker.
        """
        initializer(*initargs)
        tasks = iter(tasks)
        if first_here or self.workers <= 1:
            first = next(tasks, None)
            if first is None:
                return
            yield func(first)
        if self.workers <= 1:
            if when_forked is not None:
                when_forked()
            yield from map(func, tasks)
            return
        inherits = self.context.get_start_method() == "fork"
        pool = self.context.Pool(self.workers,
                                 **({} if inherits else {"initializer": initializer, "initargs": initargs}))
        if when_forked is not None:
            when_forked()
        throttle = Throttle(tasks, limit=max(2, ahead * self.workers))
        try:
            for result in pool.imap(func, throttle):
                throttle.consumed()
                yield result
        finally:
            pool.close()
            pool.join()

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class _SetUp:
    key: str
    initializer: object
    initargs: tuple = field(default=())


_DONE: set[str] = set()  # set-ups this worker process has run


def _run_on_worker(func, setup: _SetUp, task):
    if setup.key not in _DONE:
        setup.initializer(*setup.initargs)
        _DONE.add(setup.key)
    return func(task)


class DaskExecutor:
    """Tasks on a Dask ``distributed`` cluster: the scheduler at ``address``
    (``tcp://host:8786``), or a LocalCluster started here when ``address`` is empty."""

    def __init__(self, address: str | None = None, local_workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError(f"--dask needs Dask's distributed scheduler, which is not installed: "
                               f"{DASK_INSTALL}") from exc
        self.cluster = None
        if address:
            self.client = Client(address)
        else:
            # No dashboard; the scheduler's HTTP server (health checks) on a free port, not on
            # 8787, which another cluster on a shared machine may hold.
            self.cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None,
                                        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
            self.client = Client(self.cluster)
        self.address = self.client.scheduler.address

    @property
    def workers(self) -> int:
        """Worker threads the scheduler knows of now (at least 1)."""
        info = self.client.scheduler_info()
        return max(1, sum(worker.get("nthreads", 1) for worker in info.get("workers", {}).values()))

    def describe(self) -> str:
        return f"Dask at {self.address} ({self.workers} worker thread{'s' if self.workers != 1 else ''})"

    def map(self, func, tasks, initializer, initargs, ahead: int, first_here: bool = False, when_forked=None):
        """Ordered results of ``func`` over ``tasks`` (``first_here`` and ``when_forked`` do not apply:
        nothing runs here, and the workers run the set-up themselves)."""
        setup = self.client.scatter(_SetUp(uuid.uuid4().hex, initializer, tuple(initargs)), broadcast=True,
                                    hash=False)
        limit = max(2, ahead * self.workers)
        pending: deque = deque()
        tasks = iter(tasks)
        try:
            for task in tasks:
                pending.append(self.client.submit(_run_on_worker, func, setup, task, pure=False))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            setup.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
