"""Parse and extract on every core: a pool of worker processes, each with its own spaCy pipeline.

A worker runs `nlp.pipe` and the extractors on its share of a chunk and sends back only the
small extraction records (with the seconds it spent in each, for the bench), never spaCy Docs: shipping Docs between processes (what
`nlp.pipe(n_process=N)` does) costs the parent a deserialisation per article. The pool lives
for one run, so the model loads once per worker, not once per chunk.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from flows.core.records import Article

# Starting a worker costs a model load (~2 s): a chunk smaller than this is parsed in the flow's process.
MIN_POOL_ARTICLES = 100


def _load(model: str) -> None:
    from flows.extract.nlp import load_pipeline

    load_pipeline(model)
    gc.freeze()  # the model and modules live as long as the worker: collections need not scan them


Timing = dict[str, float]  # seconds in nlp.pipe ("parse") and in the extractors ("extract"), summed over workers


def extract_batch(articles: list[Article], model: str, batch_size: int) -> tuple[list[dict[str, Any]], Timing]:
    """Candidates for a batch of articles in this process (one spaCy process), and the seconds
    spent in nlp.pipe and in extract_article (a perf_counter per article: nothing on the hot path)."""
    from flows.extract.articles import extract_article
    from flows.extract.nlp import load_pipeline, parse

    docs = parse(load_pipeline(model), (a["body"] for a in articles), processes=1, batch_size=batch_size)
    rows, timing = [], {"parse": 0.0, "extract": 0.0}
    try:
        clock = time.perf_counter()
        for doc, article in zip(docs, articles):
            parsed = time.perf_counter()
            rows.append(extract_article(doc, article))
            timing["parse"] += parsed - clock
            clock = time.perf_counter()
            timing["extract"] += clock - parsed
        return rows, timing
    finally:
        release_memory()


def release_memory() -> None:
    """Hand freed heap back to the OS. glibc keeps what a chunk's Docs or frames freed in its
    arenas, so a long run's resident size would grow to its worst chunk and stay there."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:  # not glibc (musl): nothing to trim
            pass


def open_pool(model: str, processes: int) -> Executor | None:
    """A pool of `processes` workers with the model loaded; None when one process is asked for."""
    if processes <= 1:
        return None
    # spawn, not fork: the parent runs Prefect's threads, and forking a threaded process can deadlock.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_load, initargs=(model,))


def split(items: list[Any], parts: int) -> list[list[Any]]:
    """items in `parts` contiguous, nearly equal slices (order kept; empty slices dropped)."""
    size, extra = divmod(len(items), max(1, parts))
    slices, start = [], 0
    for i in range(max(1, parts)):
        end = start + size + (1 if i < extra else 0)
        if end > start:
            slices.append(items[start:end])
        start = end
    return slices


def extract_chunk(pool: Executor | None, articles: list[Article], *, model: str, batch_size: int, parts: int) -> tuple[list[dict[str, Any]], Timing]:
    """Candidates for a chunk, in article order, spread over the pool (or here without one), and
    the seconds its workers spent parsing and extracting."""
    if pool is None or len(articles) < 2:
        return extract_batch(articles, model, batch_size)
    done = [future.result() for future in [pool.submit(extract_batch, part, model, batch_size) for part in split(articles, parts)]]
    timing = {stage: sum(t[stage] for _, t in done) for stage in ("parse", "extract")}
    return [row for rows, _ in done for row in rows], timing
