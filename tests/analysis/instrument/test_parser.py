"""The validator on broken samples, loading, and the layering rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError
from analysis.instrument import (
    Instrument,
    InstrumentError,
    InstrumentProblem,
    load_directory,
    load_instrument,
    loads_instrument,
    validate_bytes,
    validate_file,
)
from tests.analysis.instrument import FIXTURES, ROOT


def _problems(name: str) -> set[tuple[str | None, str]]:
    return {(p.item, p.field) for p in validate_file(FIXTURES / name)}


def test_broken_items_report_every_problem() -> None:
    assert _problems("broken-items.yaml") == {
        ("bad_type", "type"),
        ("no_max", "max_length"),
        ("bad_range", "max"),
        ("req", "required"),
        ("dup", "code"),
        ("no_sv", "text.sv"),
        ("status_bad", "wording_status"),
        ("both", "options"),
        ("unknown_scale", "scale"),
        ("gender", "options"),
        ("en_partial", "options.en"),
        ("typo", "show-if"),
        ("Bad-Code", "code"),
        ("verified_nosource", "source"),
        ("grid_empty", "rows"),
        ("lang_x", "text.de"),
        ("bad_option", "options.ok"),
        ("bad_option", "options[2].code"),
    }


def test_broken_show_if_reports_every_problem() -> None:
    assert _problems("broken-show-if.yaml") == {
        ("early", "show_if.item"),
        ("same_page", "show_if.item"),
        ("ghost_ref", "show_if.item"),
        ("bad_value", "show_if.equals"),
        ("two_ops", "show_if"),
        ("ref_info", "show_if.item"),
        ("ref_disabled", "show_if.item"),
        ("nested", "show_if.any[1].item"),
        ("num_equals", "show_if.equals"),
        ("row_code", "show_if.in"),
    }


def test_broken_measures_report_every_problem() -> None:
    assert _problems("broken-measures.yaml") == {
        ("m_unknown_item", "item"),
        ("m_counted", "counted"),
        ("m_base", "base"),
        ("m_base_eq", "base"),
        ("m_text", "item"),
        ("m_index", "items"),
        ("m_scores", "scores"),
        ("m_min_valid", "min_valid"),
        ("m_kind", "kind"),
        ("m_cut", "cutpoints"),
        ("m_dup", "name"),
        ("m_label", "label.en"),
        ("m_label", "label.sv"),
    }


def test_broken_top_level_reports_every_problem() -> None:
    assert _problems("broken-top.yaml") == {
        (None, "title"),  # duplicate key
        (None, "colour"),
        (None, "format"),
        (None, "slug"),
        (None, "version"),
        (None, "languages"),
        (None, "pages"),
    }


def test_rows_of_a_disabled_grid_are_disabled() -> None:
    doc = """
format: 1
slug: x
version: "1"
title: {sv: X}
languages: {sv: {name: Svenska}}
scales:
  yes_no: [{code: "yes", text: {sv: Ja}}, {code: "no", text: {sv: Nej}}]
pages:
  - id: one
    items:
      - {code: keep, type: single_choice, scale: yes_no, text: {sv: X}, wording_status: review}
      - {code: off_grid, type: grid, enabled: false, scale: yes_no, text: {sv: X}, wording_status: review,
         rows: [{code: off_row, text: {sv: R}}]}
  - id: two
    items:
      - {code: uses_off, type: single_choice, scale: yes_no, text: {sv: X}, wording_status: review,
         show_if: {item: off_row, equals: "yes"}}
measures:
  - {name: m, kind: share, item: off_row, counted: ["yes"], base: ["yes", "no"], label: {sv: X}}
"""
    assert {(p.item, p.field) for p in validate_bytes(doc)} == {("uses_off", "show_if.item"), ("m", "item")}


def test_problems_name_the_file() -> None:
    path = FIXTURES / "broken-items.yaml"
    problems = validate_file(path)
    assert problems
    assert all(p.file == str(path) for p in problems)
    assert str(problems[0]).startswith(str(path))


def test_not_yaml_and_missing_file_are_problems_not_crashes(tmp_path: Path) -> None:
    assert _problems("not-yaml.yaml") == {(None, "yaml")}
    assert [(p.item, p.field) for p in validate_file(tmp_path / "missing.yaml")] == [(None, "file")]
    (tmp_path / "latin1.yaml").write_bytes("slug: enkät".encode("latin-1"))
    assert [(p.item, p.field) for p in validate_file(tmp_path / "latin1.yaml")] == [(None, "file")]
    for text in ("", "- a list", "just a string", "42"):
        assert [(p.item, p.field) for p in validate_bytes(text)] == [(None, "file")]


_KEYS = st.sampled_from([
    "code", "type", "item", "equals", "in", "rows", "options", "text", "sv", "scale", "all", "any", "items",
    "scores", "steps", "counted", "base", "min", "max", "answered", "dir",
])
_yaml_junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(["yes", "victim", "walk", "sv", "grid", "info", "share", "index", "area", "rtl"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS | st.text(max_size=4), children,
                                                                        max_size=3),
    max_leaves=6,
)


def _node_paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_node_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_node_paths(value, (*prefix, index)))
    return out


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_validator_never_raises_on_mutated_files(data: st.DataObject) -> None:
    doc: object = yaml.safe_load((FIXTURES / "minimal-v1.yaml").read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_node_paths(doc)))
        value = data.draw(_yaml_junk)
        if not path:
            doc = value
            continue
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    problems = validate_bytes(yaml.safe_dump(doc, allow_unicode=True))
    assert all(isinstance(p, InstrumentProblem) for p in problems)


def test_control_characters_are_a_yaml_problem() -> None:
    assert [(p.item, p.field) for p in validate_bytes("slug: a\x1fb\n")] == [(None, "yaml")]


def test_load_raises_instrument_error_with_all_problems() -> None:
    with pytest.raises(InstrumentError) as info:
        load_instrument(FIXTURES / "broken-measures.yaml")
    assert isinstance(info.value, AnalysisError)
    assert len(info.value.errors) == 13


def test_yes_and_no_stay_strings(minimal: Instrument) -> None:
    assert minimal.codes_for("victim") == ("yes", "no")
    assert minimal.version == "1"
    assert minimal.measure("rate_victim").counted == ("yes",)
    assert minimal.measure("rate_victim").cutpoints == (0.05, 0.1, 0.3, 0.4, 0.5, 0.6)


def test_a_page_with_only_disabled_items_is_left_out(minimal: Instrument) -> None:
    assert [p.id for p in minimal.pages] == ["first", "second", "third"]
    assert minimal.disabled_codes == ("problem_off", "switched_off")
    assert [r.code for r in minimal.item("problems").rows] == ["problem_a", "problem_b"]


def test_load_directory_rejects_a_misnamed_file(tmp_path: Path) -> None:
    (tmp_path / "other-name.yaml").write_bytes((FIXTURES / "minimal-v1.yaml").read_bytes())
    with pytest.raises(InstrumentError) as info:
        load_directory(tmp_path)
    assert [(p.item, p.field) for p in info.value.errors] == [(None, "file")]


def test_loads_instrument_from_text_equals_file(minimal: Instrument) -> None:
    data = (FIXTURES / "minimal-v1.yaml").read_bytes()
    again = loads_instrument(data, source=minimal.source)
    assert again == minimal


# --- the layering rule ---------------------------------------------------------------------------------

def test_instrument_imports_no_web_framework() -> None:
    code = ("import sys, analysis.instrument; "
            "bad = {'flask', 'sqlalchemy', 'wtforms', 'babel', 'flask_babel', 'survey_app'}; "
            "bad &= set(sys.modules); "
            "print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


BILLION_LAUGHS = "\n".join(
    ["slug: laughs", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(ord('b') + i)}: &{chr(ord('b') + i)} [{','.join(['*' + chr(ord('a') + i)] * 9)}]" for i in range(8)]
) + "\n"


def test_yaml_aliases_are_refused_before_they_expand() -> None:
    assert len(BILLION_LAUGHS.encode()) < 1000  # expanded, it would be 9^9 ≈ 387 million strings
    problems = validate_bytes(BILLION_LAUGHS)
    assert [(p.item, p.field) for p in problems] == [(None, "yaml")]
    assert "aliases" in problems[0].message


def test_a_single_alias_is_refused_too() -> None:
    problems = validate_bytes("slug: x\ntitle: &t Trygghet\nname: *t\n")
    assert [(p.item, p.field) for p in problems] == [(None, "yaml")]
    assert "line 3" in problems[0].message
