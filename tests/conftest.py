"""Shared test fixtures: where the real OCR files are, and the batch CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# CI clones the repo into another folder with shared/ beside it, as here.
SHARED = Path(os.environ.get("IMPORTER_SHARED", ROOT.parent / "shared"))
REAL_OCR = SHARED / "fixtures" / "real-ocr"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def real_ocr() -> Path:
    if not REAL_OCR.is_dir():
        pytest.fail(f"the real OCR fixtures are missing: {REAL_OCR}")
    return REAL_OCR


def run_importer(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the importer CLI as a user would, in a fresh process."""
    return subprocess.run([sys.executable, "-m", "importer", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=600)
