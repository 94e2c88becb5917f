"""`streamlit run dashboards/streamlit_app.py`, with the pages' modules imported first.

    python -m dashboards.server [streamlit options]

Streamlit runs each page's script in its own process; a module the script imports is
imported once, by the first page view. Importing them before the server starts moves
that second and a half (polars, DuckDB, Altair, the dashboards' own modules) from the
first page view to the server's start.
"""

from __future__ import annotations

import sys

import altair  # noqa: F401
import duckdb  # noqa: F401
import polars  # noqa: F401
from streamlit.web import cli

from dashboards import aggregate, charts, data, filters, i18n, kpis, page, report  # noqa: F401

APP = "dashboards/streamlit_app.py"


def main() -> int:
    sys.argv = ["streamlit", "run", APP, *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
