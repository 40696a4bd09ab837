from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.errors import TemplateError
from composer.render import Fragment, Renderer, plain_text, serialize


def render(tmp_path: Path, source: str, **context: object) -> str:
    (tmp_path / "t.j2").write_text(source, encoding="utf-8")
    return serialize(Renderer([tmp_path]).render("t.j2", dict(context)).root)


def test_sections_get_headings_and_empty_sections_vanish(tmp_path: Path) -> None:
    source = (
        '{% call section("a", "First") %}alpha\n{% endcall %}'
        '{% call section("b", "Empty") %}{% endcall %}'
        '{% call section("c", "Third") %}gamma\n{% endcall %}'
    )
    assert render(tmp_path, source) == "FIRST:\nalpha\n\nTHIRD:\ngamma"


def test_markdown_headings(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text('{% call section("a", "Scene") %}castle\n{% endcall %}', encoding="utf-8")
    root = Renderer([tmp_path]).render("t.j2", {}).root
    assert serialize(root, headings="markdown") == "## Scene\ncastle"


def test_cuts_drop_and_summarise_whole_fragments(tmp_path: Path) -> None:
    source = (
        '{% call section("s", "Style", summary="short form.") %}long one. long two.\n{% endcall %}'
        '{% call part("p", optional=True) %}props line\n{% endcall %}tail\n'
    )
    (tmp_path / "t.j2").write_text(source, encoding="utf-8")
    root = Renderer([tmp_path]).render("t.j2", {}).root
    assert serialize(root, {"s": "summary", "p": "drop"}) == "STYLE:\nshort form.\n\ntail"


def test_template_data_cannot_forge_markers(tmp_path: Path) -> None:
    evil = plain_text({"k": ["x\ue0000\ue001y\ue002z"]})
    assert render(tmp_path, '{% call part("a") %}{{ evil.k[0] }}\n{% endcall %}', evil=evil) == "x0yz"


def test_stray_markers_in_a_template_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="stray fragment marker"):
        render(tmp_path, "a \ue002 b")


def test_duplicate_fragment_ids_are_refused(tmp_path: Path) -> None:
    source = '{% call part("a") %}1{% endcall %}{% call part("a") %}2{% endcall %}'
    with pytest.raises(TemplateError, match="fragment id 'a' is used twice"):
        render(tmp_path, source)


def test_sandbox_blocks_python_internals_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as err:
        render(tmp_path, "ok\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    assert "t.j2:2" in str(err.value)
    assert "Python internals" in str(err.value)


def test_undefined_names_are_errors_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as err:
        render(tmp_path, "line one\n{{ nope }}\n")
    assert str(err.value).startswith(f"{tmp_path / 't.j2'}:2: undefined variable: 'nope' is undefined")


def test_syntax_errors_are_located(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as err:
        render(tmp_path, "a\n{% if %}\n")
    assert ":2:" in str(err.value)


def test_no_autoescape(tmp_path: Path) -> None:
    assert render(tmp_path, "{{ v }}", v="<b> & 'q'") == "<b> & 'q'"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["\n", "\n\n", " ", "\t", " \n", "a", "Word.", "\r", "\u00a0"]), max_size=40))
def test_whitespace_is_normalised_line_by_line(pieces: list[str]) -> None:
    raw = "".join(pieces)
    lines = [line.rstrip(" \t") for line in raw.split("\n")]
    kept = [line for i, line in enumerate(lines) if line or i == 0 or lines[i - 1]]  # one blank line at most
    assert serialize(Fragment("brief", children=[raw])) == "\n".join(kept).strip()
