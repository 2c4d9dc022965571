"""One long run, watched: `newsflow run` on N articles with its peak RSS and progress on record.

    python -m bench.long [--n 100000] [--processes P] [--every 60]

Builds the bench corpus (bench/corpus.py), runs the real CLI on it into a fresh data dir and,
every `--every` seconds while it runs, writes bench/results/long_n<N>.md and .json: articles
published so far (from the Delta log: no data read), the peak RSS of the process tree so far and
the RSS now, with the load average. A run that is stopped before it ends leaves its last record,
which says so. The summary's per-chunk seconds are added when the run ends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import pick_source, write_corpus
from bench.run import BIN, ROOT, bench_env, machine, save


def tree_rss(root: psutil.Process) -> int:
    try:
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)] if p.is_running())
    except psutil.Error:
        return 0


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    head = f"# newsflow long run, N = {r['n']:,}, corpus from the {r['corpus']}\n\n{r['started']} to {r['updated']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}; processes = {r['processes']}. **{r['state']}**.\n\n"
    rows = "".join(f"| {s['seconds']:,} s | {s['published']:,} | {s['rss_mb']:,} MB | {s['peak_rss_mb']:,} MB | {s['load_avg']} |\n" for s in r["samples"][:: max(1, len(r["samples"]) // 40)] + r["samples"][-1:])
    table = "| elapsed | articles published | RSS now (tree) | peak RSS so far | load average |\n| --- | --- | --- | --- | --- |\n" + rows
    tail, chunks = "", r.get("chunks") or r.get("chunks_so_far")
    if chunks:
        tail = "\n| chunk | published after | read_state | resolve | validate | publish |\n| --- | --- | --- | --- | --- | --- |\n" + "".join(
            f"| {i + 1} | {c['published_after']:,} | {c.get('read_state')} s | {c.get('resolve')} s | {c.get('validate')} s | {c.get('publish')} s |\n" for i, c in enumerate(chunks)
        )
    return head + f"Peak RSS {r['peak_rss_mb']:,} MB; {r['published']:,} articles published in {r['seconds']:,} s ({r['articles_per_s']} articles/s).\n\n" + table + tail


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench.long", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles in the corpus")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="spaCy processes")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between records")
    parser.add_argument("--source", choices=("auto", "devset", "seeds"), default="auto", help="corpus paragraphs: the dev set's (auto: when there) or the seeds'")
    args = parser.parse_args(argv)
    source, work = pick_source(args.source), Path(tempfile.mkdtemp(prefix="newsflow-long-"))
    env, stem = bench_env(work), f"long_n{args.n}" + ("" if pick_source(args.source) == "devset" else f"_{source}")
    from flows.publish import storage

    result: dict[str, Any] = {"n": args.n, "corpus": source, "machine": machine(), "processes": args.processes, "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "samples": [], "peak_rss_mb": 0}

    def record(state: str, seconds: float) -> None:
        if "chunks" not in result or result["chunks"] is None:  # while it runs: the flow's log line per chunk
            text = (work / "run.log").read_text("utf-8", "replace") if (work / "run.log").exists() else ""
            result["chunks_so_far"] = [{"published_after": int(m[0]), **{k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) s", m[1])}} for m in re.findall(r"chunk \d+: \d+ articles, (\d+) published after it; (.*)", text)]
        result.update(state=state, updated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), seconds=round(seconds), published=storage.count_rows(work / "data", "articles"))
        result["articles_per_s"] = round(result["published"] / max(seconds, 1e-9), 2)
        save(stem, result, markdown(result))

    try:
        print(f"building {args.n} articles from the {source} in {work}", flush=True)
        write_corpus(work / "corpus", 0, args.n, source)
        log = (work / "run.log").open("wb")
        command = [str(BIN / "newsflow"), "run", "--input", str(work / "corpus"), "--data", str(work / "data"), "--processes", str(args.processes), "--json"]
        started, last = time.perf_counter(), 0.0
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            rss = tree_rss(root)
            result["peak_rss_mb"] = max(result["peak_rss_mb"], round(rss / 2**20))
            now = time.perf_counter() - started
            if now - last >= args.every:
                last = now
                result["samples"].append({"seconds": round(now), "published": storage.count_rows(work / "data", "articles"), "rss_mb": round(rss / 2**20), "peak_rss_mb": result["peak_rss_mb"], "load_avg": round(os.getloadavg()[0], 2)})
                record("still running (a record stopped here is a run that did not finish)", now)
            time.sleep(0.5)
        text = (work / "run.log").read_text("utf-8", "replace")
        summary = json.loads(text[text.find("{\n") :]) if "{\n" in text else {}
        result["chunks"], result["exit"] = summary.get("chunks"), proc.returncode
        result["stage_seconds"] = summary.get("seconds")
        record(f"finished, exit {proc.returncode}", time.perf_counter() - started)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
