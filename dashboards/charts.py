"""Pure chart builders: data in, Altair chart out (no Streamlit calls)."""

from __future__ import annotations

import altair as alt
import polars as pl


def daily_trend(frame: pl.DataFrame, value: str, title: str, value_title: str) -> alt.Chart:
    """One line per platform over days."""
    data = frame.select("date", "platform", value).to_pandas()
    return (
        alt.Chart(data, title=title)
        .mark_line(interpolate="monotone")
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y(f"{value}:Q", title=value_title),
            color=alt.Color("platform:N", title=None),
            tooltip=["date:T", "platform:N", alt.Tooltip(f"{value}:Q", format=",.2f")],
        )
        .properties(height=320)
    )
