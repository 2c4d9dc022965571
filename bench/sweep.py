"""Chunk-size sweep: the full `newsflow run` on one corpus at several chunk sizes.

    python -m bench.sweep [--n 3000] [--sizes 250,500,1000,2000] [--processes P]

Each size runs the real CLI into its own fresh data dir on the same corpus; wall time and peak
RSS of the process tree are measured as in `make bench`. Results go to
bench/results/sweep_n<N>.json and .md; the default `chunk_size` is chosen from them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.corpus import write_corpus
from bench.run import bench_env, machine, newsflow, save


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    head = f"# newsflow chunk-size sweep, N = {result['n']:,}\n\n{result['date']}, {m['cores']} cores ({m['cpu']}), processes = {result['processes']}.\n\n"
    rows = "".join(
        f"| {r['chunk_size']:,} | {r['seconds']} s | {round(result['n'] / r['seconds'], 2)} | {r['peak_rss_mb']:,} MB | {r['stage_seconds']} |\n"
        for r in result["runs"]
    )
    return head + "| chunk size | full run | articles/s | peak RSS | flow's stage seconds |\n| --- | --- | --- | --- | --- |\n" + rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench.sweep", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="articles in the corpus")
    parser.add_argument("--sizes", default="250,500,1000,2000", help="chunk sizes to run, comma-separated")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="spaCy processes")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsflow-sweep-"))
    env = bench_env(work)
    runs = []
    try:
        write_corpus(work / "corpus", 0, args.n)
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"chunk size {size} ...", flush=True)
            run = newsflow(work / "corpus", work / f"data-{size}", argparse.Namespace(processes=args.processes, chunk_size=size), env)
            runs.append({"chunk_size": size, "seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"], "load_avg": run["load_avg"], "stage_seconds": (run["summary"] or {}).get("seconds")})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"n": args.n, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "processes": args.processes, "runs": runs}
    save(f"sweep_n{args.n}", result, markdown(result))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
