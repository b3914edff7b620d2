"""The exit codes, the same for every command and hook (documented in the README)."""

from __future__ import annotations

PASSED = 0
FAILED = 1  # a check failed: the push or handoff is blocked
USAGE = 2  # usage or configuration error
INCONCLUSIVE = 3  # something needed could not be reached, or timed out
INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
