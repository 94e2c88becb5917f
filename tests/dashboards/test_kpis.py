"""The one ratio rule of the pages: as the marts' safe_ratio, NULL when the denominator is
0 or unknown (never inf, never NaN)."""

import polars as pl

from dashboards.kpis import ratio_of, safe_ratio


def test_a_ratio_of_columns_is_null_without_a_denominator() -> None:
    frame = pl.DataFrame({"a": [3.0, 2.0, 1.0, None], "b": [2.0, 0.0, None, 4.0]})
    got = frame.select(safe_ratio(pl.col("a"), pl.col("b")).alias("r"))["r"].to_list()
    assert got == [1.5, None, None, None]


def test_a_ratio_of_totals_is_null_without_a_denominator() -> None:
    assert ratio_of(3, 2) == 1.5
    assert ratio_of(0, 2) == 0
    assert ratio_of(3, 0) is None
    assert ratio_of(None, 2) is None
    assert ratio_of(3, None) is None
