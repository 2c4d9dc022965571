"""`newsflow validate` and `eval`: the published tables against their contracts, extraction against gold annotations."""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.cli.common import fail, settings_from


def cmd_validate(args: argparse.Namespace) -> int:
    from flows.publish import storage
    from flows.validate import contracts
    from flows.validate import expectations as validate

    settings = settings_from(args).settings
    known = contracts.load_contracts()
    tables, missing = {}, []
    for name in known:
        table = storage.read_table(settings.data_dir, name)
        if table is None:
            print(f"{name}: missing (no published table under {settings.data_dir}/tables)")
            missing.append(name)
        else:
            tables[name] = table
    # References are checked against the articles table, so validate only a complete set.
    results = validate.validate_tables(tables, known) if not missing else {}
    for name, result in results.items():
        print(f"{name:<10} {result.n_rows:>6} rows  {result.n_expectations:>3} expectations  {'passed' if result.success else 'FAILED'}")
        for f in result.failures:
            print(f"    {f.severity}: {f.expectation} on {f.column}: {f.detail} (e.g. {', '.join(map(str, f.sample_ids[:5]))})")
    dirs = storage.data_docs_dirs(settings.data_dir)
    if results and dirs:  # every validation on a local data dir gets its Data Docs
        import datetime as dt

        from flows.validate import datadocs

        docs = datadocs.build_data_docs(results, "validate-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), site_dir=dirs[0], store_dir=dirs[1])
        print(f"Data Docs: {docs['index']}")
    if args.junit:
        from flows.validate.junit import junit_xml

        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit_xml(results, known, missing), encoding="utf-8")
    if missing or not all(r.success for r in results.values()):
        return 1
    if args.strict and "rejections" in tables:
        open_rows = [r for r in tables["rejections"].to_pylist() if r["resolved_by_run"] is None and r["severity"] == "critical"]
        if open_rows:
            print(f"{len({(r['table'], r['row_key']) for r in open_rows})} rejected rows unresolved (strict); see newsflow show rejections --where \"resolved_by_run IS NULL\"")
            return 1
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    problem = _eval_inputs_problem(args.gold, args.articles, args.sources)
    if problem:
        return fail(problem, 2)
    from flows.eval.run import run_evaluation

    return run_evaluation(args.gold, args.articles, sources=args.sources, json_path=args.json, fold=args.fold)


def fold_arg(text: str) -> tuple[int, int]:
    """`K/N` of --fold, 1 ≤ K ≤ N, N ≥ 2 (argparse turns the error into one line)."""
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n) and int(n) >= 2):
        raise argparse.ArgumentTypeError(f"{text!r} is no fold: K/N with 1 <= K <= N and N >= 2, e.g. 1/2")
    return int(k), int(n)


def _eval_inputs_problem(gold: Path, articles: Path, sources: Path | None) -> str | None:
    """What is missing of what eval reads, before the pipeline starts; None when all is there."""
    if not gold.is_file():
        return f"--gold {gold} is not a file (a dev set's gold.jsonl, or seeds_expected.json)"
    if not articles.is_dir():
        return f"--articles {articles} is not a folder (the articles --gold annotates)"
    if gold.suffix == ".jsonl":
        feed = sources or gold.parent / "sources.jsonl"
        if not feed.is_file():
            return f"--sources {feed} is not a file (a dev set's sources.jsonl, beside gold.jsonl unless --sources names it)"
    return None
