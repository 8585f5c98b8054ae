"""What every benchmark shares: the machine it ran on, and its figures as JSON."""
from __future__ import annotations

import json
import os
import platform
from pathlib import Path


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model or platform.processor() or platform.machine(),
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}"}


def write_figures(path: Path | None, figures: dict) -> None:
    """--json FILE: the figures for bench/report.py (nothing when no file was asked for)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
