"""Exit statuses of ``scan``, documented in ``scan nightly --help`` and the README.

Cron wrappers and CI checks act on these numbers, so they never change meaning.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1  # the command failed; nothing or only part was done
    USAGE = 2  # wrong invocation (click's own status)
    PARTIAL = 3  # done, but some rows or sources failed; what arrived is kept
    SYSTEMIC = 3  # `report --fail-on systemic`: a systemic grievance is present
    LOCKED = 4  # another run holds the lock
    UNAVAILABLE = 5  # Redis was away for longer than its limit: stopped, nothing lost
    INTERRUPTED = 130
