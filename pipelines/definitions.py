"""The Dagster code location: everything under pipelines/defs/, and nothing else."""

from pathlib import Path

import dagster as dg

import pipelines.defs


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_defs(defs_root=pipelines.defs, project_root=Path(__file__).resolve().parents[1])
