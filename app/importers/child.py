"""Parsers of hostile formats run in a child process with an address-space limit: a
4 KB PDF that inflates to gigabytes, or a parser crash, costs that one file, not the
batch or the window. One child serves a whole batch; a dead one is replaced."""

from __future__ import annotations

import multiprocessing
import resource
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")


def _limit_memory(limit: int) -> None:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


class ParserChild:
    """The one child process, started on first use, replaced when it dies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._limit = 0

    def _executor(self, limit: int) -> ProcessPoolExecutor:
        if self._pool is None or self._limit != limit:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
            # spawn: a fresh interpreter, no copy of the window's threads or open project.
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_limit_memory, initargs=(limit,))
            self._limit = limit
        return self._pool

    def run(self, function: Callable[[bytes], T | str], data: bytes, limit: int) -> T | str:
        if multiprocessing.current_process().daemon:
            return function(data)  # a daemon may not have children: parse here, unguarded
        with self._lock:
            pool = self._executor(limit)
            try:
                return pool.submit(function, data).result()
            except BrokenProcessPool:
                self._pool = None
                return "the reader ran out of memory or crashed on this file (a decompression bomb?)"
            except MemoryError:
                return "too large to read in the memory allowed (a decompression bomb?)"

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


CHILD = ParserChild()


def in_child(function: Callable[[bytes], T | str], data: bytes, limit: int) -> T | str:
    """``function(data)`` in the parser child; a string result (or a crash) says why the
    file could not be read."""
    return CHILD.run(function, data, limit)
