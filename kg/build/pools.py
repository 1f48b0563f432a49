"""The process pools of a build (``--workers N``), and the order their results come back in.

Entity resolution's pass reads units in workers (:func:`observe_unit`); the
writing pass reads and maps them in workers (:class:`MappingPool`). Either
way the main process takes the results back in unit order, with a bounded
number of units in flight (:func:`in_order`), so a build with workers writes
exactly what one process writes and memory does not grow with the input.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from kg.build.blocks import Mapped, prepare_record, raw_lines
from kg.iris import IriMinter
from kg.mapping.mapper import Mapper
from kg.mapping.resolve import Observation, Resolver, observation
from kg.readers.base import Reject, Skipped, SourceFile
from kg.readers.registry import Unit, read_unit, units
from kg.records import Record

if TYPE_CHECKING:
    from kg.validation.reach import Reads

_L = TypeVar("_L")
_T = TypeVar("_T")
_R = TypeVar("_R")


# The garbage collector's first threshold while a build runs (Python's is 700). A build
# makes and drops millions of small tuples that form no cycles, and each collection of
# the oldest generation walks every object alive: on 20,000 records with --workers 2 the
# main process spent 1.6 s of its 4 s in 758 collections, each worker about 1 s; with
# 50,000 there were 2 collections in each process, 0.25 s at most (gc.callbacks).
COLLECT_AFTER = 50_000


@contextmanager
def collecting_less() -> Iterator[None]:
    """Collect garbage less often while the block runs (see :data:`COLLECT_AFTER`)."""
    old = gc.get_threshold()
    gc.set_threshold(COLLECT_AFTER, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _start_worker(initializer: Callable[..., None] | None, *initargs: Any) -> None:
    gc.set_threshold(COLLECT_AFTER, 20, 20)  # a worker's whole life is the build
    if initializer is not None:
        initializer(*initargs)


def spawn_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started fresh (spawned, not forked)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(initializer, *initargs),
    )


def in_order(
    pool: ProcessPoolExecutor,
    fn: Callable[[_T], _R],
    tasks: Iterable[tuple[_L, _T]],
    window: int,
) -> Iterator[tuple[_L, _R]]:
    """``fn`` of each task in the pool, results in the tasks' order, at most ``window`` in
    flight (so memory stays bounded); each task's label comes back with its result."""
    pending: deque[tuple[_L, Future[_R]]] = deque()
    todo = iter(tasks)
    while True:
        while len(pending) < window:
            nxt = next(todo, None)
            if nxt is None:
                break
            pending.append((nxt[0], pool.submit(fn, nxt[1])))
        if not pending:
            return
        label, future = pending.popleft()
        yield label, future.result()


def observe_unit(unit: Unit) -> list[Observation]:
    """What entity resolution needs of one unit's records (in a worker process)."""
    return [observation(item) for item in read_unit(unit) if isinstance(item, Record)]


_MAPPER: Mapper | None = None


_PAIRS_TOO = False


_READS: Reads | None = None


def _init_map_worker(
    base: str, resolver: Resolver | None, pairs_too: bool, reads: Reads | None
) -> None:
    global _MAPPER, _PAIRS_TOO, _READS
    _MAPPER = Mapper(IriMinter(base), resolver)
    _PAIRS_TOO = pairs_too
    _READS = reads


def _map_unit(task: tuple[Unit, int]) -> list[Skipped | Reject | Mapped]:
    """Read and map one unit, whose first record is the build's ``first_record``-th
    (in a worker process)."""
    unit, first_record = task
    mapper = _MAPPER
    assert mapper is not None
    if mapper.resolver is not None:
        mapper.resolver.start_at(first_record)
    out: list[Skipped | Reject | Mapped] = []
    for item in read_unit(unit):
        if isinstance(item, Record):
            out.append(
                prepare_record(mapper, item, _PAIRS_TOO, _READS, raw_lines(_PAIRS_TOO, _READS))
            )
        else:
            out.append(item)
    return out


# a unit's result, labelled with its source and the bytes it covers
_Result = tuple[tuple[SourceFile, int], list[Skipped | Reject | Mapped]]


class MappingPool:
    """Reads and maps the units of the sources in ``workers`` processes, in order.

    The main process cuts the sources into units and takes the results back in
    unit order, with a bounded number of units in flight, so the build writes
    exactly what one process writes and memory does not grow with the input.
    """

    def __init__(
        self,
        sources: Sequence[SourceFile],
        base: str,
        resolver: Resolver | None,
        counts: list[int],
        workers: int,
        pairs_too: bool,
        reads: Reads | None = None,
    ) -> None:
        self.pool = spawn_pool(workers, _init_map_worker, (base, resolver, pairs_too, reads))
        self.results = in_order(self.pool, _map_unit, self._tasks(sources, counts), 3 * workers)
        self.head: _Result | None = None  # taken from the pool, not asked for yet

    @staticmethod
    def _tasks(
        sources: Sequence[SourceFile], counts: list[int]
    ) -> Iterator[tuple[tuple[SourceFile, int], tuple[Unit, int]]]:
        """Each unit with the number of its first record (``counts``: records per unit)."""
        first_record = 0
        record_counts = iter(counts)
        for source in sources:
            for unit in units(source, spans=True):
                yield (source, unit.size), (unit, first_record)
                first_record += next(record_counts, 0)

    def units(self, source: SourceFile) -> Iterator[tuple[int, list[Skipped | Reject | Mapped]]]:
        """The results of ``source``'s units, unit by unit, with the bytes each unit covers
        (ask for the sources in order)."""
        while True:
            if self.head is None:
                self.head = next(self.results, None)
                if self.head is None:
                    return
            (of, size), items = self.head
            if of is not source:
                return
            self.head = None
            yield size, items

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
