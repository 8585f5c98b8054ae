"""One exception tree. Each error carries the exit code the CLI returns and a
message that tells the user what went wrong and, where we can, what to do."""
from __future__ import annotations


class ImporterError(Exception):
    """Base of every error the user should see as one line (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ImporterError):
    """Bad command-line arguments."""
    exit_code = 2


class InputFileError(ImporterError):
    """An input file cannot be read or parsed (truncated, wrong encoding, ...)."""
    exit_code = 65  # EX_DATAERR

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


class PartialFailure(ImporterError):
    """Some inputs failed; the others were processed and written."""
    exit_code = 65


class ProfileError(ImporterError):
    """A profile in mappings/ is missing, malformed or not acceptable."""
    exit_code = 78  # EX_CONFIG


class BatchError(ImporterError):
    """The batch folder is missing, incomplete or not writable."""
    exit_code = 74  # EX_IOERR


class ToolMissingError(ImporterError):
    """An external program (tesseract) is not installed."""
    exit_code = 69  # EX_UNAVAILABLE


class WikiError(ImporterError):
    """The wiki cannot be reached or refused us."""
    exit_code = 69


class LoginError(WikiError):
    """Wrong user name or password, or the session was lost."""
    exit_code = 77  # EX_NOPERM


class Interrupted(ImporterError):
    """The user pressed Ctrl-C; what was done is saved."""
    exit_code = 130


class UploadStopped(WikiError):
    """The upload stopped cleanly before the end (too many failures in a row, the
    stop page, abuse-filter hits); the journal is saved and a rerun resumes."""
    exit_code = 75  # EX_TEMPFAIL


class NoRightError(WikiError):
    """The account lacks a user right the command needs (e.g. `delete` for
    `importer undo --delete`); nothing was changed."""
    exit_code = 77  # EX_NOPERM
