"""Great Expectations Data Docs for every validation a run makes.

The validation results are kept as JSON in a filesystem store and the Data Docs site is
rebuilt from it, so the site's index lists every run, not only the one in this process.
A table's results are one page: its contract's checks and its reference checks ran on two
frames (suites.py) but are one table's expectations, so the page counts what the CLI counts
(ValidationResult.n_expectations), under the table's name, with the run name filled in. The
pages load their stylesheets and scripts from the site's own copies (docs_assets.py).
Paths come from the caller (flows/publish/storage.py owns them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# First: context.py quiets Great Expectations and turns its analytics off before GE is imported.
from flows.validate.context import GX_LOCK, get_gx_context, quiet_gx_loggers

# isort: split
import great_expectations as gx
from dateutil import parser as date_parser
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.validator.validation_statistics import calc_validation_statistics

from flows.validate.docs_assets import make_offline
from flows.validate.results import ValidationResult

# The site and store names GE knows them by; one pair per data directory.
_PREFIX = "newsflow"


def register_site(site_dir: Path, store_dir: Path) -> tuple[str, str]:
    """Add (once per context) a results store and a Data Docs site for these directories."""
    context = get_gx_context()
    token = hashlib.sha1(f"{site_dir.resolve()}|{store_dir.resolve()}".encode()).hexdigest()[:10]
    # The site's name heads its index page: say whose data it is.
    store_name, site_name = f"{_PREFIX}_results_{token}", f"{_PREFIX} data in {site_dir.resolve().parent}"
    if store_name not in context.stores:
        context.add_store(
            store_name,
            {
                "class_name": "ValidationResultsStore",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(store_dir.resolve())},
            },
        )
    if site_name not in context.list_data_docs_sites():
        context.add_data_docs_site(
            site_name,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir.resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # No walkthrough pop-up nor footer of tutorial links on every page.
                "show_how_to_buttons": False,
                "site_section_builders": {
                    "validations": {"source_store_name": store_name},
                    # Profiling pages would read the same store and list our validations twice.
                    "profiling": "None",
                },
            },
        )
    return store_name, site_name


def page_run_name(run_id: str) -> str:
    """The run name GE is given: the run id, unless dateutil reads it as a date. GE's page title
    parses the run name as a time and compares it with the run time; ~1 run id in 1,300
    ("…Z-7068ad": "ad" an era, the digits an offset of 7,068 hours) parses to an impossible offset
    and the comparison raises, so the page is not rendered. Such an id gets a word in front."""
    try:
        date_parser.parse(run_id)
    except (ValueError, OverflowError):
        return run_id
    return f"run {run_id}"


def identify(table: str, run_id: str, run_time: dt.datetime | None = None) -> ValidationResultIdentifier:
    # An explicit time: left alone, GE parses run_name as a date, and a run id whose hex part is all
    # digits reads as an impossible UTC offset.
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=table),
        run_id=RunIdentifier(run_name=page_run_name(run_id), run_time=run_time or dt.datetime.now(dt.timezone.utc)),
        batch_identifier=table,
    )


def merge_outcomes(table: str, outcomes: list[ExpectationSuiteValidationResult], run_id: RunIdentifier) -> ExpectationSuiteValidationResult:
    """A table's GE results (its contract's suite, then its reference suite) as one result named
    after the table, whose page shows the run name and the table as its data asset.

    GE's own names for them are the suites' (a per-validation token, e.g. deals-3ceb3be3d35f), and
    a result made outside a checkpoint has no run id: the page said "__none__" and "None"."""
    results = [r for outcome in outcomes for r in outcome.results]
    statistics = calc_validation_statistics(results)._asdict()
    first = outcomes[0].meta
    meta = {
        **first,
        "run_id": run_id.to_json_dict(),
        "batch_spec": {**first.get("batch_spec", {}), "data_asset_name": table},
        "active_batch_definition": {**first.get("active_batch_definition", {}), "data_asset_name": table},
    }
    return ExpectationSuiteValidationResult(
        success=statistics.pop("success"), results=results, suite_name=table, statistics=statistics, meta=meta
    )


def build_data_docs(
    results: Mapping[str, ValidationResult], run_id: str, *, site_dir: Path, store_dir: Path
) -> dict[str, Any]:
    """Store each table's GE results and rebuild their pages and the site index.

    Returns {"index": path, "pages": {table: [page paths]}} with absolute file paths.
    """
    stored = store_results(results, run_id, site_dir=site_dir, store_dir=store_dir)
    return build_site(stored, site_dir=site_dir, store_dir=store_dir, suites=stored)


Identifiers = dict[str, list[ValidationResultIdentifier]]


def store_results(
    results: Mapping[str, ValidationResult], run_id: str, *, site_dir: Path, store_dir: Path
) -> Identifiers:
    """Keep each table's GE results in the results store, for build_site to render."""
    with GX_LOCK:
        store = get_gx_context().stores[register_site(site_dir, store_dir)[0]]
        identifiers: Identifiers = {}
        now = dt.datetime.now(dt.timezone.utc)
        for table, result in results.items():
            identifiers[table] = [identify(table, run_id, now)] if result.outcomes else []  # none: the table could not be built
            for identifier in identifiers[table]:
                store.set(identifier, merge_outcomes(table, result.outcomes, identifier.run_id))
    return identifiers


def build_site(
    identifiers: Identifiers, *, site_dir: Path, store_dir: Path, index: bool = True, suites: Identifiers | None = None
) -> dict[str, Any]:
    """Render the pages of the stored results `identifiers`, and the site index unless index=False;
    with the index, the suite page of each table of `suites` (the expectations its results checked),
    which every validation page and the index link to."""
    with GX_LOCK:
        context = get_gx_context()
        store_name, site_name = register_site(site_dir, store_dir)
        flat = [i for ids in identifiers.values() for i in ids]
        suite_ids = add_suites(context, context.stores[store_name], suites or {}) if index else []
        built = context.build_data_docs(site_names=[site_name], resource_identifiers=flat + suite_ids, build_index=index)
        pages = {
            table: [page_path(context, site_name, identifier) for identifier in ids]
            for table, ids in identifiers.items()
        }
        suite_pages = [page_path(context, site_name, identifier) for identifier in suite_ids]
        quiet_gx_loggers()
    index_path = file_path(built[site_name])
    make_offline(site_dir, [p for paths in pages.values() for p in paths] + suite_pages + ([index_path] if index else []))
    return {"index": index_path, "pages": pages} if index else {"pages": pages}


def add_suites(context: Any, store: Any, stored: Identifiers) -> list[ExpectationSuiteIdentifier]:
    """Each table's suite as its latest stored result checked it, put in the context's (in-memory)
    suite store for the site builder to render."""
    identifiers = []
    for table, ids in stored.items():
        if ids:
            result = store.get(ids[-1])
            expectations = [r.expectation_config.to_domain_obj() for r in result.results]
            context.suites.add_or_update(gx.ExpectationSuite(name=table, expectations=expectations))
            identifiers.append(ExpectationSuiteIdentifier(name=table))
    return identifiers


def page_path(context: Any, site_name: str, identifier: ValidationResultIdentifier) -> str:
    (entry,) = context.get_docs_sites_urls(resource_identifier=identifier, site_name=site_name)
    return file_path(entry["site_url"])


def file_path(url: str) -> str:
    return url.removeprefix("file://")


def render_chunk(results: Mapping[str, ValidationResult], key: str, *, site_dir: Path, store_dir: Path) -> dict[str, Any]:
    """Store a chunk's results and render their pages, without the site index (built once per run)."""
    stored = store_results(results, key, site_dir=site_dir, store_dir=store_dir)
    return {"stored": stored, **build_site(stored, site_dir=site_dir, store_dir=store_dir, index=False)}


def render_index(stored: Identifiers, *, site_dir: Path, store_dir: Path) -> str:
    """The site index and the suite pages, once per run: the index lists every stored result, so
    building it per chunk cost more with every chunk and every run. GE builds it with at least one
    page: one again."""
    table, identifiers = next((t, ids) for t, ids in stored.items() if ids)
    return str(build_site({table: identifiers[:1]}, site_dir=site_dir, store_dir=store_dir, suites=stored)["index"])
