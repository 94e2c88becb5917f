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
