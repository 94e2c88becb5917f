"""Charts show numbers in the format of the column they draw."""

import polars as pl

from dashboards import charts


def test_a_heatmaps_legend_uses_the_cells_format() -> None:
    """A tiny shop's cohort heatmap, every cell 100%: the legend read "1.000000"."""
    frame = pl.DataFrame({"month": ["2025-03"], "since": [0], "rate": [1.0]})
    spec = charts.heatmap(frame, "since", "month", "rate", "t", ".0%", "x", "y").to_dict()
    color = spec["layer"][0]["encoding"]["color"]
    assert color["legend"]["format"] == ".0%"
    assert spec["layer"][1]["encoding"]["text"]["format"] == ".0%"
