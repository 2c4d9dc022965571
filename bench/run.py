"""`make bench`: throughput, memory and incremental cost of `newsflow run` against raw spaCy.

    python -m bench.run [--n 1000|10000|100000] [--processes P] [--chunk-size C]

One invocation: build the corpus; time `newsflow run` on the seeds (the first run on a new
Prefect home, then the fixed overhead of a run: the median of three), on the
corpus into a fresh data dir (full run, with the peak RSS of the whole process tree), again
with nothing new, and again with 1 % new articles; time raw `nlp.pipe` of the same pipeline,
process count and batch size on the same cleaned bodies, and of the model alone (without the
project's spaCy components). The full run's summary says how long its workers spent in `nlp.pipe`
and in the extractors. Results go to bench/results/n<N>.json and .md (`n<N>_seeds` for the seed
corpus). Every run is the real CLI of this checkout: no stage is skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import pick_source, write_corpus

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
# The first run on a new PREFECT_HOME is reported apart: it also creates Prefect's database
# (~5 s, once per Prefect home). The fixed overhead of a run is the median of the runs after
# it, which the other tenants of a shared machine move less than they move a single run.
SEEDS_REPEATS = 3
TARGETS = {"ratio": 0.90, "components": 1.05, "extractors": 0.05, "rss_gb": 2.0, "rss_growth": 1.5, "rerun": 0.10, "plus_one": 0.05, "overhead_s": 8.0}


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "python": platform.python_version(), "system": platform.platform()}


def bench_env(work: Path) -> dict[str, str]:
    """A fresh Prefect home, and this checkout's code (not whatever `flows` the venv installed)."""
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    return env


def raw_pipe(bodies: Path, args: argparse.Namespace, which: str, env: dict[str, str]) -> tuple[dict[str, Any], list[float]]:
    """bench.raw in a fresh process: `nlp.pipe` of the project's pipeline or the model alone; and the load average before/after."""
    from flows.core.settings import Settings

    settings, load = Settings(), os.getloadavg()[0]
    out = subprocess.run([sys.executable, "-m", "bench.raw", str(bodies), str(args.processes), str(settings.batch_size), settings.model, which], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1]), [round(load, 2), round(os.getloadavg()[0], 2)]


def timed(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; wall time, peak RSS summed over its process tree (sampled every 0.2 s), load."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{text[-3000:]}")
    summary = None
    start = text.find("{\n")
    if start >= 0:
        summary = json.loads(text[start:])
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak / 2**20), "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)], "exit": proc.returncode, "summary": summary}


def newsflow(input_path: Path, data: Path, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [str(BIN / "newsflow"), "run", "--input", str(input_path), "--data", str(data), "--processes", str(args.processes), "--json"]
    if args.chunk_size:
        command += ["--chunk-size", str(args.chunk_size)]
    return timed(command, env)


def cleaned_bodies(corpus: Path, target: Path) -> int:
    """Write the bodies newsflow parses (after cleaning, duplicates dropped); returns the word count."""
    from flows.clean import cleaner as clean
    from flows.ingest import readers as ingest

    words, seen = 0, set()
    with target.open("w", encoding="utf-8") as out:
        for documents, _ in ingest.iter_chunks(corpus, chunk_size=1000):
            for article in map(clean.clean_document, documents):
                if article["article_id"] in seen:
                    continue
                seen.add(article["article_id"])
                words += len(article["body"].split())
                out.write(json.dumps(article["body"]) + "\n")
    return words


def build(work: Path, n: int, source: str) -> tuple[Path, Path]:
    """The corpus of n articles, and the same plus n/100 new ones (hard links: no copy)."""
    base, plus = work / "corpus", work / "corpus_plus"
    write_corpus(base, 0, n, source)
    plus.mkdir()
    for shard in base.iterdir():
        os.link(shard, plus / shard.name)
    write_corpus(plus / "new", n, n + max(1, n // 100), source)
    return base, plus


def markdown(r: dict[str, Any]) -> str:
    t, ok = r["targets"], lambda b: "yes" if b else "**no**"
    rows = [
        ("articles / words", f"{r['articles']:,} / {r['words']:,}", ""),
        ("full run", f"{r['full']['seconds']} s, {r['articles_per_s']} articles/s, {r['words_per_s']:,} words/s", ""),
        ("raw nlp.pipe", f"{round(r['raw']['seconds'], 2)} s, {r['raw_articles_per_s']} articles/s, {r['raw_words_per_s']:,} words/s", ""),
        ("pipeline / raw", f"{r['ratio']}", f"≥ {TARGETS['ratio']}: {ok(t['ratio'])}"),
        ("raw nlp.pipe, model alone", f"{round(r['model']['seconds'], 2)} s: project's pipeline / model alone = {r['components']}", f"≤ {TARGETS['components']}: {ok(t['components'])}"),
        ("workers: nlp.pipe / extractors", f"{r['worker_seconds']['parse']} s / {r['worker_seconds']['extract']} s (summed over processes): extractors = {r['extractors']:.1%} of parse time", f"≤ 5 %: {ok(t['extractors'])}"),
        ("peak RSS (process tree)", f"{r['full']['peak_rss_mb']} MB", f"≤ 2 GB: {ok(t['rss'])}"),
        ("peak RSS vs N=1000", f"{r.get('rss_growth', '-')}", f"≤ {TARGETS['rss_growth']}: {ok(t.get('rss_growth', True))}"),
        ("rerun, nothing new", f"{r['rerun']['seconds']} s = {r['rerun_fraction']:.1%} of full", f"≤ 10 %: {ok(t['rerun'])}"),
        ("rerun, +1 % new", f"{r['plus_one']['seconds']} s = {r['plus_one_fraction']:.1%} of full", f"≤ 5 %: {ok(t['plus_one'])}"),
        ("fixed overhead (4 seeds, median of runs)", f"{r['seeds']['seconds']} s (runs: {', '.join(f'{x} s' for x in r['seeds']['runs_seconds'])})", f"≤ {TARGETS['overhead_s']:g} s: {ok(t['overhead'])}"),
        ("first run on a new Prefect home (4 seeds)", f"{r['seeds_first']['seconds']} s, of which Prefect creates its database", "one-off"),
    ]
    other = RESULTS / (f"n{r['n']}_seeds.json" if r.get("corpus") == "devset" else f"n{r['n']}.json")
    if other.exists():  # the other corpus's figure at the same N, for comparison
        o = json.loads(other.read_text())
        rows.insert(4, (f"pipeline / raw on the {o.get('corpus', 'seeds')} corpus ({other.name}, {o['date']})", f"{o['ratio']} (full {o['full']['seconds']} s, raw {round(o['raw']['seconds'], 2)} s)", "for comparison"))
    m = r["machine"]
    head = f"# newsflow bench, N = {r['n']:,}, corpus from the {r.get('corpus', 'seeds')}\n\n{r['date']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, Python {m['python']}; processes = {r['processes']}, chunk size = {r['chunk_size']}, load average before/after full run {r['full']['load_avg']}, raw {r['raw_load_avg']}, model alone {r['model_load_avg']}.\n\n"
    return head + "| measure | value | target |\n| --- | --- | --- |\n" + "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="articles in the corpus (1000, 10000, 100000)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="spaCy processes for both the run and raw nlp.pipe")
    parser.add_argument("--chunk-size", type=int, default=0, help="articles per task (default: the setting's default)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--source", choices=("auto", "devset", "seeds"), default="auto", help="paragraphs of the dev set's real articles (auto: when ../shared/devset is there) or of the seeds")
    args = parser.parse_args(argv)
    from flows.core.settings import Settings

    settings = Settings()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = bench_env(work)
    try:
        source = pick_source(args.source)
        print(f"building {args.n} articles from the {source} in {work}", flush=True)
        base, plus = build(work, args.n, source)
        words = cleaned_bodies(base, work / "bodies.jsonl")
        print("seeds, first run on a new Prefect home ...", flush=True)
        seeds_first = newsflow(ROOT / "seeds", work / "seeds-first", args, env)
        print(f"seeds (fixed overhead) x {SEEDS_REPEATS} ...", flush=True)
        seeds_runs = [newsflow(ROOT / "seeds", work / f"seeds-{i}", args, env) for i in range(SEEDS_REPEATS)]
        seeds = sorted(seeds_runs, key=lambda run: run["seconds"])[SEEDS_REPEATS // 2]
        print("full run ...", flush=True)
        full = newsflow(base, work / "data", args, env)
        print("rerun, nothing new ...", flush=True)
        rerun = newsflow(base, work / "data", args, env)
        print("rerun, +1 % ...", flush=True)
        plus_one = newsflow(plus, work / "data", args, env)
        print("raw nlp.pipe ...", flush=True)
        raw, raw_load = raw_pipe(work / "bodies.jsonl", args, "project", env)
        print("raw nlp.pipe, model alone ...", flush=True)
        model, model_load = raw_pipe(work / "bodies.jsonl", args, "model", env)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    articles = full["summary"]["new_articles"]
    result: dict[str, Any] = {
        "n": args.n,
        "corpus": source,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "processes": args.processes,
        "chunk_size": args.chunk_size or settings.chunk_size,
        "articles": articles,
        "words": words,
        "seeds": {**_slim(seeds), "runs_seconds": [run["seconds"] for run in seeds_runs]},
        "seeds_first": _slim(seeds_first),
        "full": _slim(full),
        "rerun": _slim(rerun),
        "plus_one": _slim(plus_one),
        "plus_one_new_articles": plus_one["summary"]["new_articles"],
        "raw": raw,
        "raw_load_avg": raw_load,
        "model": model,
        "model_load_avg": model_load,
    }
    result["articles_per_s"] = round(articles / full["seconds"], 2)
    result["words_per_s"] = round(words / full["seconds"])
    result["raw_articles_per_s"] = round(raw["articles"] / raw["seconds"], 2)
    result["raw_words_per_s"] = round(words / raw["seconds"])
    result["ratio"] = round(raw["seconds"] / full["seconds"], 3)  # same articles, so time ratio = throughput ratio
    result["components"] = round(raw["seconds"] / model["seconds"], 3)
    stage = full["summary"].get("seconds", {})
    result["worker_seconds"] = {"parse": round(stage.get("parse_workers", 0.0), 1), "extract": round(stage.get("extract_workers", 0.0), 1)}
    result["extractors"] = round(result["worker_seconds"]["extract"] / max(result["worker_seconds"]["parse"], 1e-9), 4)
    result["rerun_fraction"] = round(rerun["seconds"] / full["seconds"], 4)
    result["plus_one_fraction"] = round(plus_one["seconds"] / full["seconds"], 4)
    baseline = RESULTS / ("n1000.json" if source == "devset" else f"n1000_{source}.json")  # growth against the same corpus
    if args.n != 1000 and baseline.exists():
        result["rss_growth"] = round(full["peak_rss_mb"] / json.loads(baseline.read_text())["full"]["peak_rss_mb"], 2)
    result["targets"] = {
        "ratio": result["ratio"] >= TARGETS["ratio"],
        "components": result["components"] <= TARGETS["components"],
        "extractors": result["extractors"] <= TARGETS["extractors"],
        "rss": full["peak_rss_mb"] <= TARGETS["rss_gb"] * 1024,
        "rerun": result["rerun_fraction"] <= TARGETS["rerun"],
        "plus_one": result["plus_one_fraction"] <= TARGETS["plus_one"],
        "overhead": seeds["seconds"] <= TARGETS["overhead_s"],
    }
    if "rss_growth" in result:
        result["targets"]["rss_growth"] = result["rss_growth"] <= TARGETS["rss_growth"]
    save(f"n{args.n}" + ("" if source == "devset" else f"_{source}"), result, markdown(result))
    print(markdown(result))
    return result


def save(stem: str, result: dict[str, Any], text: str) -> None:
    """bench/results/<stem>.json and .md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{stem}.md").write_text(text, encoding="utf-8")


def _slim(run: dict[str, Any]) -> dict[str, Any]:
    """A run's measures plus the per-table counts of its summary (not the validation details)."""
    summary = run["summary"] or {}
    tables = {n: {k: t.get(k) for k in ("rows", "version", "upserts", "deletes", "valid")} for n, t in summary.get("tables", {}).items()}
    keep = {k: v for k, v in run.items() if k != "summary"}
    return {**keep, "new_articles": summary.get("new_articles"), "success": summary.get("success"), "stage_seconds": summary.get("seconds"), "chunks": summary.get("chunks"), "tables": tables}


if __name__ == "__main__":
    main()
