"""The imports flow one way: lib -> adapters -> ingest -> defs; dashboards read lib only.
A module may import its own layer and the layers below it, never one above."""

import ast
from pathlib import Path

import pytest

from pipelines.lib.settings import REPO_ROOT

# a layer -> the layers (besides itself) it may import
MAY_IMPORT = {
    "pipelines.lib": set(),
    "pipelines.adapters": {"pipelines.lib"},
    "pipelines.ingest": {"pipelines.lib", "pipelines.adapters"},
    "pipelines.demo": {"pipelines.lib"},
    "pipelines.defs": {"pipelines.lib", "pipelines.adapters", "pipelines.ingest"},
    "dashboards": {"pipelines.lib"},
}
LAYERS = sorted(MAY_IMPORT, key=len, reverse=True)


def layer_of(module: str) -> str | None:
    return next(
        (layer for layer in LAYERS if module == layer or module.startswith(layer + ".")), None
    )


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from pipelines import adapters` imports the package pipelines.adapters
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


MODULES = [
    path
    for folder in ("pipelines", "dashboards")
    for path in sorted((REPO_ROOT / folder).rglob("*.py"))
]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_import_reaches_a_layer_above(path: Path) -> None:
    module = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    own = layer_of(module)
    if own is None:  # the entry points (cli, bench, serve, definitions) may use every layer
        return
    allowed = MAY_IMPORT[own] | {own}
    above = {
        name for name in imports_of(path)
        if (target := layer_of(name)) is not None and target not in allowed
    }  # fmt: skip
    assert not above, f"{module} ({own}) imports {sorted(above)}"


def test_the_dbt_sources_are_written_from_the_canonical_format() -> None:
    """Every raw column is documented once, in canonical.py; dbt's YAML is generated."""
    from pipelines.lib.dbt_sources import SOURCES_YML, render

    assert SOURCES_YML.read_text(encoding="utf-8") == render(), (
        "run `python -m pipelines.lib.dbt_sources` and commit the file"
    )


def test_a_page_view_never_imports_dagster_or_dbt() -> None:
    # the dashboards' first page view paid 2 s importing Dagster to read last_run.json
    import subprocess
    import sys

    modules = ["dashboards.server", "dashboards.data", "pipelines.lib.run_status"]
    script = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'dbt', "
        "'great_expectations'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
