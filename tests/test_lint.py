"""The type checker runs with the suite, so that CI fails when the types break (`make lint` runs it too)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # about 20 s from a cold cache; still part of the normal run
def test_mypy_finds_no_type_errors(tmp_path: Path) -> None:
    """mypy with the settings in pyproject.toml (its `files` are survey_app and analysis)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"), "--no-error-summary"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_ruff_finds_nothing() -> None:
    """ruff with the settings in pyproject.toml, over the whole tree (as the before-stop check and `make lint`)."""
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--quiet", "."], capture_output=True, text=True, cwd=ROOT,
                            check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
