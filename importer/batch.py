"""The batch folder: where every stage reads and writes its files."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from .errors import BatchError

LOG_NAME = "importer.log"


def open_batch(folder: str | os.PathLike, create: bool = True) -> Path:
    """The batch folder, created when asked; an error when it is not writable."""
    path = Path(folder)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BatchError(f"{path}: cannot create the batch folder ({exc.strerror})") from None
    elif not path.is_dir():
        raise BatchError(f"{path}: no such batch folder")
    if create and not os.access(path, os.W_OK):
        raise BatchError(f"{path}: the batch folder is not writable")
    return path


def attach_log(batch: Path) -> logging.Handler:
    """Log everything of this run to BATCH/importer.log (appending across runs)."""
    handler = logging.FileHandler(batch / LOG_NAME, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("importer")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def detach_log(handler: logging.Handler) -> None:
    logging.getLogger("importer").removeHandler(handler)
    handler.close()
