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


def stacked_weeks(weekly: pl.DataFrame, title: str) -> alt.Chart:
    """Stacked bars per week, one colour per value column (e.g. new / returning buyers)."""
    data = weekly.unpivot(index="date", variable_name="series", value_name="value").to_pandas()
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title=None, stack="zero"),
            color=alt.Color("series:N", title=None),
            tooltip=["date:T", "series:N", alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(height=260)
    )


def weekly_line(frame: pl.DataFrame, value: str, title: str, fmt: str = ",.2f") -> alt.Chart:
    data = frame.select("date", value).to_pandas()
    return (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y(f"{value}:Q", title=None),
            tooltip=["date:T", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
        .properties(height=260)
    )


def spend_vs_revenue(campaigns: pl.DataFrame, title: str, spend: str, revenue: str) -> alt.Chart:
    """One point per campaign; the diagonal is ROAS = 1 (revenue equals spend)."""
    data = campaigns.select("campaign_name", "ad_platform", "spend", "attributed_revenue", "roi")
    top = float(max(data["spend"].max() or 0, data["attributed_revenue"].max() or 0)) * 1.05
    points = (
        alt.Chart(data.to_pandas())
        .mark_circle(size=120)
        .encode(
            x=alt.X("spend:Q", title=spend),
            y=alt.Y("attributed_revenue:Q", title=revenue),
            color=alt.Color("ad_platform:N", title=None),
            tooltip=[
                "campaign_name:N",
                "ad_platform:N",
                alt.Tooltip("spend:Q", format=",.2f"),
                alt.Tooltip("attributed_revenue:Q", format=",.2f"),
                alt.Tooltip("roi:Q", format=".1%"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pl.DataFrame({"x": [0.0, top], "y": [0.0, top]}).to_pandas())
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="x:Q", y="y:Q")
    )
    return (diagonal + points).properties(title=title, height=340)


def heatmap(
    frame: pl.DataFrame, x: str, y: str, value: str, title: str, fmt: str, x_title: str,
    y_title: str,
) -> alt.Chart:  # fmt: skip
    data = frame.select(x, y, value).to_pandas()
    base = alt.Chart(data, title=title).encode(
        x=alt.X(f"{x}:O", title=x_title),
        y=alt.Y(f"{y}:O", title=y_title),
    )
    cells = base.mark_rect().encode(
        # the legend in the cells' format (Vega's own read "1.000000" when every cell was 1)
        color=alt.Color(
            f"{value}:Q",
            title=None,
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=fmt),
        ),
        tooltip=[f"{x}:O", f"{y}:O", alt.Tooltip(f"{value}:Q", format=fmt)],
    )
    labels = base.mark_text(fontSize=10).encode(text=alt.Text(f"{value}:Q", format=fmt))
    return (cells + labels).properties(height=max(200, 30 * frame[y].n_unique()))


def bars(
    frame: pl.DataFrame, category: str, value: str, title: str, fmt: str,
    highlight: str | None = None, by_value: bool = True,
) -> alt.Chart:  # fmt: skip
    """Horizontal bars, largest first (or in the frame's order); a boolean column draws
    the bars where it is false lighter."""
    columns = [category, value] + ([highlight] if highlight else [])
    data = frame.select(columns).to_pandas()
    encoding = {
        # whole numbers: no ticks between them (a tiny shop's axis read 0 0 0 1 1 1 2 2)
        "x": alt.X(
            f"{value}:Q",
            title=None,
            axis=alt.Axis(format=fmt, tickMinStep=1 if fmt.endswith(".0f") else alt.Undefined),
        ),
        "y": alt.Y(f"{category}:N", title=None, sort="-x" if by_value else None),
        "tooltip": [f"{category}:N", alt.Tooltip(f"{value}:Q", format=fmt)],
    }
    if highlight:
        encoding["opacity"] = alt.condition(alt.datum[highlight], alt.value(1.0), alt.value(0.45))
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(**encoding)
        .properties(height=max(160, 24 * frame.height))
    )


def forecast_band(rows: pl.DataFrame, title: str, actual: str, predicted: str) -> alt.Chart:
    """Actuals as a line, forecasts (holdout and future) as a dashed line in an 80% band."""
    data = rows.select("date", "kind", "actual", "yhat", "yhat_lower", "yhat_upper").to_pandas()
    base = alt.Chart(data).encode(x=alt.X("date:T", title=None))
    band = (
        base.transform_filter("datum.yhat != null")
        .mark_area(opacity=0.2)
        .encode(y=alt.Y("yhat_lower:Q", title=None), y2="yhat_upper:Q")
    )
    forecast = base.transform_filter("datum.yhat != null").mark_line(strokeDash=[5, 3]).encode(
        y="yhat:Q",
        color=alt.value("#d62728"),
        tooltip=["date:T", "kind:N", alt.Tooltip("yhat:Q", title=predicted, format=",.1f"),
                 alt.Tooltip("yhat_lower:Q", format=",.1f"),
                 alt.Tooltip("yhat_upper:Q", format=",.1f")],
    )  # fmt: skip
    actuals = (
        base.transform_filter("datum.actual != null")
        .mark_line()
        .encode(
            y="actual:Q",
            color=alt.value("#1f77b4"),
            tooltip=["date:T", alt.Tooltip("actual:Q", title=actual, format=",.1f")],
        )
    )
    return (band + actuals + forecast).properties(title=title, height=340)
