"""Raw spaCy throughput: `nlp.pipe` of the pipeline newsflow loads, on the bodies newsflow parses.

Usage: python -m bench.raw BODIES.jsonl PROCESSES BATCH_SIZE MODEL [project|model] -> one JSON line.
`project` (the default) times the pipeline a run loads (the model plus the project's components);
`model` the model alone, with the same components excluded. The bodies file is written by bench.run (cleaned article bodies, one JSON string per line), so
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
    which = argv[4] if len(argv) > 4 else "project"
    import spacy

    from flows.extract.nlp import UNUSED_COMPONENTS, load_pipeline

    # project: same components as a run (the model minus excluded ones, plus the project's); model: the model's alone
    nlp = load_pipeline(model) if which == "project" else spacy.load(model, exclude=UNUSED_COMPONENTS)
    started = time.perf_counter()
    articles = 0
    for _doc in nlp.pipe(read_bodies(bodies), n_process=processes, batch_size=batch_size):
        articles += 1
    seconds = time.perf_counter() - started
    return {"articles": articles, "seconds": seconds, "pipes": list(nlp.pipe_names)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
