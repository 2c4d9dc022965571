"""Great Expectations Data Docs for every validation a run makes.

The validation results are kept as JSON in a filesystem store and the Data Docs site is
rebuilt from it, so the site's index lists every run, not only the one in this process.
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
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from flows.validate.results import ValidationResult

# The site and store names GE knows them by; one pair per data directory.
_PREFIX = "newsflow"


def register_site(site_dir: Path, store_dir: Path) -> tuple[str, str]:
    """Add (once per context) a results store and a Data Docs site for these directories."""
    context = get_gx_context()
    token = hashlib.sha1(f"{site_dir.resolve()}|{store_dir.resolve()}".encode()).hexdigest()[:10]
    store_name, site_name = f"{_PREFIX}_results_{token}", f"{_PREFIX}_docs_{token}"
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
                "site_section_builders": {
                    "validations": {"source_store_name": store_name},
                    # Profiling pages would read the same store and list our validations twice.
                    "profiling": "None",
                },
            },
        )
    return store_name, site_name


def identify(table: str, position: int, run_id: str, run_time: dt.datetime | None = None) -> ValidationResultIdentifier:
    suite = table if position == 0 else f"{table}-references"
    # An explicit time: left alone, GE parses run_name as a date, and a run id whose hex part is all
    # digits reads as an impossible UTC offset.
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite),
        run_id=RunIdentifier(run_name=run_id, run_time=run_time or dt.datetime.now(dt.timezone.utc)),
        batch_identifier=suite,
    )


def build_data_docs(
    results: Mapping[str, ValidationResult], run_id: str, *, site_dir: Path, store_dir: Path
) -> dict[str, Any]:
    """Store each table's GE results and rebuild their pages and the site index.

    Returns {"index": path, "pages": {table: [page paths]}} with absolute file paths.
    """
    return build_site(store_results(results, run_id, site_dir=site_dir, store_dir=store_dir), site_dir=site_dir, store_dir=store_dir)


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
            identifiers[table] = [identify(table, i, run_id, now) for i in range(len(result.outcomes))]
            for identifier, outcome in zip(identifiers[table], result.outcomes, strict=True):
                store.set(identifier, outcome)
    return identifiers


def build_site(identifiers: Identifiers, *, site_dir: Path, store_dir: Path, index: bool = True) -> dict[str, Any]:
    """Render the pages of the stored results `identifiers`, and the site index unless index=False."""
    with GX_LOCK:
        context = get_gx_context()
        site_name = register_site(site_dir, store_dir)[1]
        flat = [i for ids in identifiers.values() for i in ids]
        built = context.build_data_docs(site_names=[site_name], resource_identifiers=flat, build_index=index)
        pages = {
            table: [page_path(context, site_name, identifier) for identifier in ids]
            for table, ids in identifiers.items()
        }
        quiet_gx_loggers()
    return {"index": file_path(built[site_name]), "pages": pages} if index else {"pages": pages}


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
    """The site index, once per run: it lists every stored result, so building it per chunk cost
    more with every chunk and every run. GE builds it with at least one page: one again."""
    table, identifiers = next((t, ids) for t, ids in stored.items() if ids)
    return str(build_site({table: identifiers[:1]}, site_dir=site_dir, store_dir=store_dir)["index"])
