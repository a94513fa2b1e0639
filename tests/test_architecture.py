"""House rules that code review would otherwise have to remember."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_analysis_loads_neither_flask_nor_sqlalchemy() -> None:
    code = (
        "import sys, analysis, analysis.instrument, analysis.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'wtforms', 'flask_babel', "
        "'survey_app'})\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def test_no_page_refers_to_another_host() -> None:
    """Templates and static files load nothing from other hosts: no CDN, web font, analytics or form target.

    A plain link (`<a href>`) to another site, such as DIGG's complaint form, loads nothing and is allowed.
    """
    url = re.compile(
        r"""(?:<(?!a\s)[a-z]+[^>]*\s(?:src|href|data|srcset|poster)\s*=|url\s*\(|action\s*=|@import)\s*["']?\s*"""
        r"""(?:https?:)?//""",
        re.IGNORECASE,
    )
    offenders = []
    for path in (ROOT / "survey_app").rglob("*"):
        if path.suffix in {".html", ".css", ".js", ".svg"}:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if url.search(line) and "www.w3.org/2000/svg" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_inline_script_or_style_attributes_in_templates() -> None:
    """The CSP forbids inline script; inline event handlers and style attributes would silently break."""
    pattern = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.IGNORECASE)
    offenders = []
    for path in (ROOT / "survey_app").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
