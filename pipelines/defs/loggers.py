"""How a build talks: one short line per step on the console, everything in the build log.

The analyst reads the console (`make pipeline`); tracebacks and Dagster's full events go to
SHOPKPI_HOME/logs/build.log and the Dagster UI, never to the analyst's screen.
"""

import logging
import logging.handlers
import sys
import time
from pathlib import Path

import dagster as dg

from pipelines.lib.settings import Settings

STEP_EVENTS = {"STEP_SUCCESS": "done", "STEP_FAILURE": "failed"}
# a check step is said only when it fails: its success is in the run summary
CHECK_STEP = ("_gx_raw_", "_freshness_raw_")


class _StepLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        if event is not None and event.event_type_value in STEP_EVENTS:
            return f"{stamp} {step}: {STEP_EVENTS[event.event_type_value]}"
        text = str(meta.get("orig_message") or record.getMessage()).strip()
        first = text.splitlines()[0] if text else ""
        return f"{stamp} {step + ': ' if step else ''}{first}"


class _StepFilter(logging.Filter):
    """Step start, success and failure, and warnings a step logs itself; nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is not None:
            if event.event_type_value == "STEP_SUCCESS":
                return not any(part in (event.step_key or "") for part in CHECK_STEP)
            return event.event_type_value in STEP_EVENTS
        # a step skipped because an earlier one failed: the failure itself was said
        return record.levelno >= logging.WARNING and "Dependencies for step" not in str(
            meta.get("orig_message") or record.getMessage()
        )


@dg.logger(description="One line per step on the console; no tracebacks.")
def shopkpi_console(init_context: dg.InitLoggerContext) -> logging.Logger:
    del init_context
    # step events are DEBUG records in Dagster: the filter keeps only the ones people read
    logger = logging.Logger("shopkpi.console", level=logging.DEBUG)
    # the process's real stdout: `make pipeline` sends dbt's chatter to the build log
    handler = logging.StreamHandler(sys.__stdout__)
    handler.setFormatter(_StepLines())
    handler.addFilter(_StepFilter())
    logger.addHandler(handler)
    return logger


@dg.logger(
    config_schema={"path": dg.Field(str, is_required=False, description="default: the home's")},
    description="Every event with its traceback, in SHOPKPI_HOME/logs/build.log.",
)
def shopkpi_build_log(init_context: dg.InitLoggerContext) -> logging.Logger:
    configured = (init_context.logger_config or {}).get("path")
    path = Path(configured) if configured else Settings.from_env().build_log
    path.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.Logger("shopkpi.build_log", level=logging.DEBUG)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


defs = dg.Definitions(loggers={"shopkpi_console": shopkpi_console,
                               "shopkpi_build_log": shopkpi_build_log})  # fmt: skip
