"""Errors that end a command with exit status 2 and a one-line message (never a traceback)."""


class UsageError(Exception):
    """Bad arguments, or a repository or revision that cannot be used."""
