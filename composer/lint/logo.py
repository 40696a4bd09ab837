"""Logo: a shot that places the logo states the brand's clear-space rule with it."""

from __future__ import annotations

from composer.lint.context import Leaf, LintContext
from composer.lint.findings import Finding
from composer.lint.text import is_negated, tokenise
from composer.location import Location, Severity

RULE = "logo"


def check_logo(ctx: LintContext) -> list[Finding]:
    where = _placement(ctx)
    if where is None:
        return []
    brand = ctx.brand
    if brand is None:
        return [Finding(
            Severity.ERROR, RULE,
            "the shot places the logo but uses no brand kit, so no clear-space rule is stated",
            "name a brand kit (--brand ID, or defaults.brand in composer.yaml)",
            (where,), frozenset({"logo"}),
        )]
    rule = brand.logo.clear_space
    if rule in ctx.positive_text or " ".join(rule.split()).lower() in " ".join(ctx.positive_text.split()).lower():
        return []
    leaf = ctx.leaf("brand", ("logo", "clear_space"))
    return [Finding(
        Severity.ERROR, RULE,
        "the shot places the logo but the brief does not state the brand's clear-space rule",
        "keep the brand.logo part in the template (the bundled template makes it required when the "
        "`logo` delta is set: place the logo with --set 'logo=...')",
        (where, *([leaf.location()] if leaf else [])), frozenset({"logo", "clear-space", "clear space"}),
    )]


def _placement(ctx: LintContext) -> Location | None:
    """Where the shot places the logo: the ``logo`` delta, or a shot/scene field that mentions it."""
    leaves: list[Leaf] = [*ctx.by_kind.get("shot", []), *ctx.by_kind.get("scene", [])]
    for leaf in leaves:
        if leaf.role != "positive":
            continue
        if leaf.key[:2] == ("deltas", "logo"):
            return leaf.location()
        if "logo" not in leaf.value.lower():
            continue
        tokens = tokenise(leaf.value)
        if any(t.lower in ("logo", "logos") and not is_negated(tokens, i) for i, t in enumerate(tokens)):
            return leaf.location()
    return None
