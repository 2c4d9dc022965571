"""Raw spaCy throughput: `nlp.pipe` of the pipeline newsflow loads, on the bodies newsflow parses.

Usage: python -m bench.raw BODIES.jsonl PROCESSES BATCH_SIZE MODEL -> one JSON line on stdout.
The bodies file is written by bench.run (cleaned article bodies, one JSON string per line), so
reading it costs next to nothing and the timed loop is spaCy alone.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def read_bodies(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def main(argv: list[str]) -> dict[str, float]:
    bodies, processes, batch_size, model = Path(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    from flows.extract.nlp import load_pipeline

    nlp = load_pipeline(model)  # same components as a run: model minus excluded ones, ruler, fixer
    started = time.perf_counter()
    articles = 0
    for _doc in nlp.pipe(read_bodies(bodies), n_process=processes, batch_size=batch_size):
        articles += 1
    seconds = time.perf_counter() - started
    return {"articles": articles, "seconds": seconds, "pipes": list(nlp.pipe_names)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
