from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.errors import BriefTooLongError
from composer.guard import fit, plan_steps
from composer.render import Fragment, serialize


def make_tree(parts: list[tuple[int, bool, bool]]) -> Fragment:
    """One section per part: (size, optional, has_summary); priority = index."""
    root = Fragment("brief")
    for index, (size, optional, has_summary) in enumerate(parts):
        words = ("word " * (size // 5 + 1)).strip() + "."
        root.children.append(
            Fragment(
                f"s{index}",
                title=f"S{index}",
                optional=optional,
                priority=(index * 7) % 11,
                summary="Short." if has_summary else None,
                children=[words + "\n"],
            )
        )
    return root


def test_fits_untouched_when_small() -> None:
    tree = make_tree([(50, True, False), (50, False, False)])
    result = fit(tree, 10_000, target="t")
    assert result.shortenings == [] and result.text == serialize(tree)


def test_drops_lowest_priority_first_and_reports_it() -> None:
    root = Fragment(
        "brief",
        children=[
            Fragment("keep", "Keep", children=["k " * 50 + "\n"]),
            Fragment("low", "Low", optional=True, priority=10, children=["l " * 50 + "\n"]),
            Fragment("high", "High", optional=True, priority=90, children=["h " * 50 + "\n"]),
        ],
    )
    limit = len(serialize(root)) - 50
    result = fit(root, limit, target="t")
    assert [s.id for s in result.shortenings] == ["low"]
    assert "LOW:" not in result.text and "HIGH:" in result.text
    assert result.shortenings[0].describe().startswith("low dropped (-")


def test_summary_before_drop() -> None:
    root = Fragment(
        "brief",
        children=[
            Fragment(
                "style", "Style", optional=True, priority=10, summary="Short style.", children=["s " * 200 + "\n"]
            ),
            Fragment("req", "Req", children=["r " * 20 + "\n"]),
        ],
    )
    result = fit(root, len(serialize(root)) - 100, target="t")
    assert [(s.id, s.action) for s in result.shortenings] == [("style", "summary")]
    assert "Short style." in result.text


def test_required_overflow_is_itemised() -> None:
    root = Fragment(
        "brief",
        children=[
            Fragment("cast", "Cast", children=["c " * 100 + "\n"]),
            Fragment("props", "Props", optional=True, children=["p " * 100 + "\n"]),
        ],
    )
    with pytest.raises(BriefTooLongError) as err:
        fit(root, 50, target="gpt-image-2")
    message = str(err.value)
    assert "limit 50" in message and "cast " in message and "(required)" in message
    assert err.value.chars > 50 and "props" not in message


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.tuples(st.integers(0, 400), st.booleans(), st.booleans()), min_size=1, max_size=12),
    limit=st.integers(1, 4000),
)
def test_guard_property(parts: list[tuple[int, bool, bool]], limit: int) -> None:
    tree = make_tree(parts)
    try:
        result = fit(tree, limit, target="t")
    except BriefTooLongError as err:
        assert err.chars > limit
        # Failing is only allowed once every optional cut has been taken.
        return
    assert len(result.text) <= limit
    assert result.text == serialize(tree, result.cuts)
    for index, (_, optional, _) in enumerate(parts):
        if not optional:
            assert f"S{index}:" in result.text  # required sections always present
    # What was cut is a prefix of the guard's plan: lowest priority first, nothing skipped over.
    plan = [(f.id, action) for f, action in plan_steps(tree)]
    taken = [(s.id, s.action) for s in result.shortenings]
    positions = [plan.index(step) for step in taken]
    assert positions == sorted(positions)
    if taken:
        fragments = {f.id: f for f in tree.walk()}
        for fragment_id, action in plan[: positions[-1]]:
            if (fragment_id, action) in taken:
                continue
            # The only step the guard may pass over is a summary that would not be shorter.
            full = serialize(Fragment("x", children=[fragments[fragment_id]]))
            short = serialize(Fragment("x", children=[fragments[fragment_id]]), {fragment_id: "summary"})
            assert action == "summary" and len(short) >= len(full)
