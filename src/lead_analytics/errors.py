"""The errors the tools report as one message and an exit code (never a traceback)."""

from __future__ import annotations


class LoaderError(Exception):
    """An error the loader reports as a message (never a traceback); ``exit_code`` for the CLI."""

    exit_code = 1


class InputFileError(LoaderError):
    """A problem with an input file (missing required column, undecodable bytes, unreadable)."""

    exit_code = 1


class UsageError(LoaderError):
    """Bad arguments or environment: missing folder, no contract file, locked database."""

    exit_code = 2
