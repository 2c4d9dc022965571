"""Parse and extract on every core: a pool of worker processes, each with its own spaCy pipeline.

A worker runs `nlp.pipe` and the extractors on its share of a chunk and sends back only the
small extraction records, never spaCy Docs: shipping Docs between processes (what
`nlp.pipe(n_process=N)` does) costs the parent a deserialisation per article. The pool lives
for one run, so the model loads once per worker, not once per chunk.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from flows.core.records import Article

# Starting a worker costs a model load (~2 s): a chunk smaller than this is parsed in the flow's process.
MIN_POOL_ARTICLES = 100


def _load(model: str) -> None:
    from flows.extract.nlp import load_pipeline

    load_pipeline(model)
    gc.freeze()  # the model and modules live as long as the worker: collections need not scan them


def extract_batch(articles: list[Article], model: str, batch_size: int) -> list[dict[str, Any]]:
    """Candidates for a batch of articles in this process (one spaCy process)."""
    from flows.extract.articles import extract_articles

    try:
        return extract_articles(articles, model=model, processes=1, batch_size=batch_size)
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


def extract_chunk(pool: Executor | None, articles: list[Article], *, model: str, batch_size: int, parts: int) -> list[dict[str, Any]]:
    """Candidates for a chunk, in article order, spread over the pool (or here without one)."""
    if pool is None or len(articles) < 2:
        return extract_batch(articles, model, batch_size)
    futures = [pool.submit(extract_batch, part, model, batch_size) for part in split(articles, parts)]
    return [row for future in futures for row in future.result()]
