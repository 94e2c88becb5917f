"""Worker processes of a build (statsforecast's pools) start from a fork server.

Python 3.11's resource tracker then reports the pools' semaphores as leaked when the build
exits, although they are gone ("No such file or directory"): a false alarm printed on the
analyst's console. The tracker process takes its warning filters from the process that
starts it, so every entry point that may start one calls `quiet_resource_tracker` first.
"""

from __future__ import annotations

import sys

QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def quiet_resource_tracker() -> None:
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)


def return_freed_memory() -> int:
    """Hand the memory that ingest and the checks freed back to the system before dbt's
    process starts beside this one: glibc keeps freed pandas and Arrow buffers for reuse,
    so without this the build would hold them while dbt runs. Returns the resident bytes released (0 where there is no glibc)."""
    import ctypes
    import gc

    import psutil

    before = psutil.Process().memory_info().rss
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return 0
    return max(0, before - psutil.Process().memory_info().rss)
