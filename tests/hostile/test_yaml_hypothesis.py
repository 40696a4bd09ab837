"""The YAML loader over generated documents: a mapping or one located ``LibraryError``, never anything else.

Two generators: documents built from YAML's own building blocks (anchors, aliases, merge keys,
complex keys, tags, big integers, dates, deep nesting) and raw text over YAML's significant
characters, so both well-formed and broken documents are covered.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.errors import LibraryError
from composer.yamlio import parse_yaml

PATH = Path("generated.yaml")

scalars = st.one_of(
    st.sampled_from(["x", "'quoted'", '"dq\\n"', "~", "null", "true", "1.5e3", ".inf", "0x1F", "0o17",
                     "2026-13-45", "2026-02-30 25:61:00", "!!binary aGk=", "!!int '12'", "!!float x", "!!str 3",
                     "!!set {a, b}", "!!omap [a: 1]", "!!python/object:os.system x", "<<", "*undefined",
                     "&anchor", "? x", "- - -", "|\n  block", ">-\n  folded"]),
    st.integers(min_value=-(10**200), max_value=10**200).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12).map(lambda s: '"' + s.replace('"', "") + '"'),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    anchors: list[str] = []

    def node(depth: int) -> str:
        kind = draw(st.sampled_from(["scalar", "alias", "flow-seq", "flow-map", "merge", "complex-key"]
                                    if depth < 6 else ["scalar", "alias"]))
        if kind == "alias" and anchors:
            return "*" + draw(st.sampled_from(anchors))
        if kind == "flow-seq":
            text = "[" + ", ".join(node(depth + 1) for _ in range(draw(st.integers(0, 4)))) + "]"
        elif kind == "flow-map":
            text = "{" + ", ".join(f"{draw(scalars)}: {node(depth + 1)}" for _ in range(draw(st.integers(0, 4)))) + "}"
        elif kind == "merge":
            text = "{<<: " + node(depth + 1) + ", k: v}"
        elif kind == "complex-key":
            text = "{? " + node(depth + 1) + " : v}"
        else:
            text = draw(scalars)
        if draw(st.booleans()) and "\n" not in text:
            name = f"a{len(anchors)}"
            anchors.append(name)
            return f"&{name} {text}"
        return text

    keys = draw(st.lists(st.sampled_from(["name", "summary", "k", "<<", "? [a]", "1", "x y"]), max_size=6))
    return "".join(f"{key}: {node(0)}\n" for key in keys)


def _load(text: str) -> None:
    try:
        data = parse_yaml(text, PATH)
    except LibraryError as exc:
        message = str(exc)
        assert message.startswith("generated.yaml") and "\n" not in message, message
    else:
        assert isinstance(data, dict)
        repr(data)  # the built value is finite (no recursive structure escaped the checks)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_load_or_fail_in_one_line(text: str) -> None:
    _load(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 :-?[]{},&*!|>'\"#%@`\n\t<=~.\x00\x07\ue000\ufeff")), max_size=80))
def test_raw_text_loads_or_fails_in_one_line(text: str) -> None:
    _load(text)
