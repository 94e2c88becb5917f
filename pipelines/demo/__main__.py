"""python -m pipelines.demo: write the demo shop's exports (see pipelines/demo/__init__.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from pipelines.demo import __doc__ as DOC
from pipelines.demo import generate
from pipelines.demo.profile import DEFAULT_END, DEFAULT_ORDER_LINES
from pipelines.lib.settings import SOURCES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.demo", description=DOC.split("\n\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="folder to write <source>/ folders into"
    )
    parser.add_argument(
        "--orders", type=int, default=DEFAULT_ORDER_LINES, help="order lines to generate"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=DEFAULT_END, help="last day")
    parser.add_argument("--skus", type=int, default=None, help="SKUs in the catalogue (~300)")
    parser.add_argument(
        "--sources",
        type=lambda text: tuple(s.strip() for s in text.split(",") if s.strip()),
        default=SOURCES,
        help=f"comma-separated exports to write (default all: {','.join(SOURCES)})",
    )
    args = parser.parse_args(argv)
    unknown = set(args.sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown source(s) {', '.join(sorted(unknown))}; known: {', '.join(SOURCES)}")
    counts = generate(args.out, args.orders, args.seed, args.end, args.skus, args.sources)
    print("demo shop written to", args.out, counts)


if __name__ == "__main__":
    main()
