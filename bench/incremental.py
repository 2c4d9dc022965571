"""`make bench-incremental`: does a run's cost grow with what is already published?

    python -m bench.incremental [--published 2000] [--small 100] [--new 100] [--repeats 2]

Two data dirs are filled by real runs, one with `--small` articles and one with `--published`
(the same corpus, so the first is a prefix of the second); then the same `--new` articles (the
corpus's next ones, as their own input folder, like a daily file) are run on top of each, on a
copy of the data dir so that every repeat starts from the same state. The result compares the
wall time and peak RSS (process tree) of the two: bench/results/incremental_p<P>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.corpus import pick_source, write_corpus
from bench.run import bench_env, machine, newsflow, save

TARGETS = {"rss": 1.15, "seconds": 1.25}


def on_top(work: Path, published: int, new_input: Path, args: argparse.Namespace, env: dict[str, str], source: str) -> dict[str, Any]:
    """Publish `published` articles, then time the new ones on a fresh copy of that state, `repeats` times."""
    base, data = work / f"corpus-{published}", work / f"data-{published}"
    write_corpus(base, 0, published, source)
    filled = newsflow(base, data, args, env)
    runs = []
    for i in range(args.repeats):
        copy = work / f"data-{published}-{i}"
        shutil.copytree(data, copy)
        runs.append(newsflow(new_input, copy, args, env))
        shutil.rmtree(copy)
    best = min(runs, key=lambda r: r["seconds"])  # the least disturbed by the machine's other tenants
    return {
        "published": published,
        "fill_seconds": filled["seconds"],
        "seconds": best["seconds"],
        "peak_rss_mb": best["peak_rss_mb"],
        "load_avg": best["load_avg"],
        "runs": [{"seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"], "load_avg": r["load_avg"], "new_articles": (r["summary"] or {}).get("new_articles"), "stage_seconds": (r["summary"] or {}).get("seconds")} for r in runs],
    }


FLOW_STAGES = ("read_state", "resolve", "validate", "publish")


def _stages(case: dict[str, Any]) -> str:
    """The best run's seconds in the flow's process per stage: what grows with the published rows, less disturbed than the wall time by parsing on a shared machine."""
    best = min(case["runs"], key=lambda x: x["seconds"])["stage_seconds"] or {}
    return ", ".join(f"{s} {best.get(s, 0):.2f} s" for s in FLOW_STAGES) + f" (parse wait {best.get('extract_wait', 0):.1f} s)"


def markdown(r: dict[str, Any]) -> str:
    m, small, big = r["machine"], r["small"], r["big"]
    ok = lambda b: "yes" if b else "**no**"  # noqa: E731
    head = f"# newsflow bench: {r['new']} new articles on top of {big['published']:,} vs {small['published']:,} published, corpus from the {r['corpus']}\n\n{r['date']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}; processes = {r['processes']}; best of {r['repeats']} runs each.\n\n"
    rows = [
        (f"on top of {small['published']:,}", f"{small['seconds']} s, peak RSS {small['peak_rss_mb']} MB (load {small['load_avg']}; runs {', '.join(str(x['seconds']) + ' s' for x in small['runs'])})", ""),
        (f"on top of {big['published']:,}", f"{big['seconds']} s, peak RSS {big['peak_rss_mb']} MB (load {big['load_avg']}; runs {', '.join(str(x['seconds']) + ' s' for x in big['runs'])})", ""),
        *((f"flow's own stages on top of {c['published']:,} (best run)", _stages(c), "") for c in (small, big)),
        ("wall time ratio", f"{r['seconds_ratio']}", f"≤ {TARGETS['seconds']}: {ok(r['seconds_ratio'] <= TARGETS['seconds'])}"),
        ("peak RSS ratio", f"{r['rss_ratio']}", f"≤ {TARGETS['rss']}: {ok(r['rss_ratio'] <= TARGETS['rss'])}"),
    ]
    return head + "| measure | value | target |\n| --- | --- | --- |\n" + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench.incremental", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--published", type=int, default=2000, help="articles published before the new ones (the big case)")
    parser.add_argument("--small", type=int, default=100, help="articles published before the new ones (the small case)")
    parser.add_argument("--new", type=int, default=100, help="new articles run on top of each")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of the new articles on each state (the fastest is kept)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="spaCy processes")
    parser.add_argument("--source", choices=("auto", "devset", "seeds"), default="auto", help="corpus paragraphs: the dev set's (auto: when there) or the seeds'")
    args = parser.parse_args(argv)
    args.chunk_size = 0
    source = pick_source(args.source)
    work = Path(tempfile.mkdtemp(prefix="newsflow-incremental-"))
    env = bench_env(work)
    try:
        new_input = work / "new"
        write_corpus(new_input, args.published, args.published + args.new, source)  # after both prefixes
        print(f"{args.small} published, then {args.new} new ...", flush=True)
        small = on_top(work, args.small, new_input, args, env, source)
        print(f"{args.published} published, then {args.new} new ...", flush=True)
        big = on_top(work, args.published, new_input, args, env, source)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "corpus": source, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "processes": args.processes,
        "new": args.new, "repeats": args.repeats, "small": small, "big": big,
        "seconds_ratio": round(big["seconds"] / small["seconds"], 3), "rss_ratio": round(big["peak_rss_mb"] / small["peak_rss_mb"], 3),
    }
    save(f"incremental_p{args.published}" + ("" if source == "devset" else f"_{source}"), result, markdown(result))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
