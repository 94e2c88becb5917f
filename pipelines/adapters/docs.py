"""Write docs/formats.md from the adapters themselves: `python -m pipelines.adapters.docs`.

The tables come from each adapter's mappings, so the page cannot drift from the code;
tests/pipelines/test_adapters.py fails when the committed page is out of date.
"""

from __future__ import annotations

import sys

from pipelines.adapters import ADAPTERS
from pipelines.adapters.base import ORDER_LEVEL_SKU, PLACEHOLDER_CUSTOMER_PREFIX
from pipelines.lib.settings import REPO_ROOT

FORMATS_MD = REPO_ROOT / "docs" / "formats.md"

INTRO = f"""# Platform export formats

<!-- Written by `python -m pipelines.adapters.docs` from pipelines/adapters/: edit there. -->

Drop an export exactly as the back office gave it into `inbox/<source>/`, or into `inbox/`
itself: shopkpi reads the encoding (UTF-8 with or without BOM, UTF-16 "Excel CSV", GBK),
the delimiter (comma, tab, semicolon) and workbooks (xlsx, xls), skips title lines,
`#` comments and date ranges above the header, and recognises the format from its
header. A file already in the canonical format of design.md loads as it is. A file no
format matches is rejected (moved to `quarantine/<source>/` with a `.reason.txt`) naming
the closest known format and the columns it lacks.

What every adapter does the same way:

- **Ids** lose the wrappers back offices and Excel add: trailing spaces, a leading TAB
  (Douyin), `="..."`, quotes. Ids that Excel already cut to 15 significant digits (all
  digits, longer than 15, only zeros after the 15th) cannot be repaired: the load is
  flagged on /data-health (`truncated_ids`).
- **Buyers** the export masks (`##密文`, `***`, `张**`) or does not name get one placeholder
  customer per order, `{PLACEHOLDER_CUSTOMER_PREFIX}<order id>`: sales KPIs (orders,
  revenue, buyers per day) count it, customer KPIs (new customers, cohorts, repurchase,
  RFM, CAC) leave it out (`placeholder_customer` on /data-health).
- **Order-level reports** (no SKU) load one line per order with SKU `{ORDER_LEVEL_SKU}`:
  it counts in shop and platform KPIs and the shop's forecast, never as a SKU (inventory,
  SKU forecasts); its cost of goods is unknown, which `cogs_coverage` shows (`order_level`).
- **Reports without a day column** (ads) are spread evenly over the days of their period,
  to the cent and to whole clicks and impressions: period totals stay exact, daily figures
  are an average (`period_report`). A traffic export without a date is rejected with how to
  export it by day.
- **Totals rows** (`Total: ...`, 总计, 合计, GA4's totals) and other rows that are not data
  (Shopify image rows, stock `not stocked` at a location) are left out and counted:
  `rows_read = rows_loaded + rows_quarantined + rows_skipped` in `audit.file_loads`.
- **Money**: thousands separators, currency signs and ` --` are read; a header saying (分)
  means fen and is divided by 100.
- **Revenue**: gross = listed unit price x quantity; discount = what the shop took off
  the goods (platform-funded coupons are not the shop's discount); refund = money given
  back for goods, capped at what they sold for, never also netted out of the price.
  Shipping, taxes and platform fees are not revenue. So net revenue counts every refund
  exactly once. Order-level amounts are split over lines by value, to the cent.
- **Statuses** map to `pending, paid, shipped, delivered, cancelled, refunded,
  partially_refunded`; full- and half-width commas compare equal (买家已付款，等待卖家发货 =
  买家已付款,等待卖家发货). An unknown status quarantines its row, naming it.

Settings for what a file cannot say: `SHOPKPI_ALIBABA_PLATFORM` (platform of the Taobao/Tmall
seller centre and 生意参谋 exports, default `tmall`), `SHOPKPI_WEB_PLATFORM` (GA4, default
`shopify`), `SHOPKPI_SHOPIFY_CURRENCY` (Shopify products, default `USD`).
"""

RECIPE = """
## How to add an adapter

1. Get a real export (or the platform's documented header) and write a small fixture in
   its exact format, quirks included, in `tests/fixtures/platform_exports/make_fixtures.py`
   (encoding, title lines, totals rows, wrapped ids); run it to write the file.
2. Write the platform's module, `pipelines/adapters/<platform>.py` (or add to it, when
   the platform has one: `shopify.py` holds its orders, products and inventory): its
   status map, `convert_<name>(export, settings) -> Adapted`, and `ADAPTERS`. Start from
   `with_source_rows(export.frame)` (keeps each row's number for quarantine), build the
   canonical columns as text with the helpers in `base.py` (`clean_id`, `number`, `money`,
   `map_status`, `allocate`, `customer_or_placeholder`, `spread_over_days`) and those its
   source's adapters share (`order_lines.py`, `ad_reports.py`, `traffic_reports.py`),
   count rows you leave out in `skipped`, and add a `Warning` for anything the format
   lacks. Raise `FileRejected` with how to export the file instead when it cannot be used.
3. Its `Adapter(...)` in that module's `ADAPTERS` (the registry in `__init__.py` collects
   every module's): a `signature` of header names (normalised: lower case, no outer
   spaces) that only this format has all of, the `mappings` (platform column -> canonical
   column, with notes), `how_to_export` and, for orders, `revenue_semantics`. A format that
   needs a second file names its `partner`, and one of the two converts the pair
   (`convert_pair`, as `taobao.py` does); ingest pairs the files.
4. In `tests/pipelines/test_adapters.py`, state by hand what the fixture loads as, and add
   it to the identification test.
5. Run `python -m pipelines.adapters.docs` to rewrite this page, and `make test`.
"""


def render() -> str:
    parts = [INTRO, "\n## Formats\n", "| format | source | identified by |", "| --- | --- | --- |"]
    for adapter in ADAPTERS:
        signature = ", ".join(f"`{s}`" for s in adapter.signature)
        parts.append(f"| [{adapter.title}](#{adapter.name}) | {adapter.source} | {signature} |")
    for adapter in ADAPTERS:
        parts += ["", f'<a id="{adapter.name}"></a>', f"### {adapter.title}", ""]
        parts.append(f"`{adapter.name}` -> `raw.{adapter.source}`.")
        if adapter.how_to_export:
            parts += ["", f"How to export: {adapter.how_to_export}."]
        if adapter.partner:
            parts += ["", f"Loads together with its partner file (`{adapter.partner}`); "
                      "one without the other waits in the inbox (status `waiting`)."]  # fmt: skip
        if adapter.revenue_semantics:
            parts += ["", f"Revenue: {adapter.revenue_semantics}."]
        if adapter.statuses:
            pairs = ", ".join(f"{k} -> `{v}`" for k, v in adapter.statuses.items())
            parts += ["", f"Statuses: {pairs}."]
        if adapter.mappings:
            parts += ["", "| canonical column | platform column | note |", "| --- | --- | --- |"]
            for m in adapter.mappings:
                parts.append(f"| `{m.canonical}` | {m.platform} | {m.note} |")
    return "\n".join(parts) + "\n" + RECIPE


def main() -> None:
    FORMATS_MD.parent.mkdir(exist_ok=True)
    FORMATS_MD.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {FORMATS_MD}\n")


if __name__ == "__main__":
    main()
