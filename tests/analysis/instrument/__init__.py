"""Tests of analysis.instrument; paths shared by its test modules."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
QUESTIONNAIRES = ROOT / "questionnaires"
ADULT = QUESTIONNAIRES / "trygghetsenkat-v1.yaml"
YOUTH = QUESTIONNAIRES / "trygghetsenkat-unga-v1.yaml"
SHIPPED = (ADULT, YOUTH)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
