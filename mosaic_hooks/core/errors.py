"""Errors that end a command with one clear line and a documented exit code."""

from __future__ import annotations

from mosaic_hooks.core import exit_codes


class MosaicError(Exception):
    """An expected failure: its message is shown as one line, without a traceback."""

    exit_code = exit_codes.USAGE

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def line(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class ConfigError(MosaicError):
    exit_code = exit_codes.USAGE


class GitError(MosaicError):
    exit_code = exit_codes.USAGE


class Inconclusive(MosaicError):
    """Something the command needs could not be reached or did not answer in time."""

    exit_code = exit_codes.INCONCLUSIVE
