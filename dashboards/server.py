"""`streamlit run dashboards/streamlit_app.py`, with the pages' modules imported first.

    python -m dashboards.server [streamlit options]

Streamlit runs each page's script in its own process; a module the script imports is
imported once, by the first page view. Importing them before the server starts moves
that second and a half (polars, DuckDB, Altair, the dashboards' own modules) from the
first page view to the server's start. DuckDB imports pandas and pyarrow lazily, on a
page's first query: another second, moved here too.
"""

from __future__ import annotations

import gc
import sys

import altair as alt
import duckdb  # noqa: F401
import pandas  # noqa: F401
import polars as pl
import pyarrow  # noqa: F401
from streamlit import env_util, string_util
from streamlit.web import cli

from dashboards import aggregate, charts, data, filters, i18n, kpis, page, report  # noqa: F401

APP = "dashboards/streamlit_app.py"


def warm_up() -> None:
    """Once per process, before the first page: DuckDB's first in-memory database (the
    roll-ups'), polars' first hand-over of rows to it and back (about 0.3 s), Altair's
    chart schema (loaded on a chart's first validation), Streamlit's emoji list (0.1-0.2 s).

    Then everything alive is moved out of the garbage collector's way (`gc.freeze`):
    Streamlit collects all generations after every script run, holding the interpreter
    while it walks every object of pandas, pyarrow, Altair and the rest, before the page's
    last message reaches the browser. What the pages allocate is still collected."""
    kpis.derive(pl.DataFrame({"x": [1]}), {})
    alt.Chart(pl.DataFrame({"x": [1]})).mark_line().encode(x="x").to_dict()
    string_util.is_emoji("📈")  # the page icon: its first check loads Streamlit's emoji list
    # the first element drawn asks whether it runs in a REPL (inspect.stack()), which maps
    # every loaded module to its file once: 0.1-0.2 s, here instead of the first page view
    env_util.is_repl()
    gc.collect()
    gc.freeze()


def main() -> int:
    warm_up()
    sys.argv = ["streamlit", "run", APP, *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
