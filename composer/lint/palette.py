"""Palette: every required brand colour is stated by name and hex; no other hex code appears.

Applies to still-image targets. Motion prompts (video targets) carry the palette in their first
frame, not their text, so the rule does not apply to them.
"""

from __future__ import annotations

from functools import lru_cache

from composer.lint.colours import HEX_RE, normalise_hex
from composer.lint.context import LintContext
from composer.lint.findings import Finding
from composer.lint.text import CACHE_TEXTS
from composer.location import Location, Severity

RULE = "palette"


def check_palette(ctx: LintContext) -> list[Finding]:
    brand = ctx.brand
    if brand is None or ctx.brief.target.kind == "video":
        return []
    text = ctx.positive_text.lower()
    findings = []
    for index, colour in enumerate(brand.palette):
        if not colour.required:
            continue
        has_name = _has_word(text, colour.name.lower())
        has_hex = colour.hex.lower() in text
        if has_name and has_hex:
            continue
        missing = "name and hex" if not (has_name or has_hex) else "name" if not has_name else "hex"
        leaf = ctx.leaf("brand", ("palette", index, "name"))
        where = leaf.location() if leaf else Location("brand", None, f"palette.{index}")
        findings.append(Finding(
            Severity.ERROR, RULE,
            f"required palette colour {colour.name} {colour.hex}: its {missing} is not in the brief",
            "state it as \"<name> <hex>\" in a section the guard keeps (the bundled template lists the "
            "palette in its required colour section), or set `required: false` on the colour",
            (where,), frozenset({colour.name.lower(), colour.hex.lower()}),
        ))
    return findings + _off_palette(ctx, {normalise_hex(c.hex) for c in brand.palette})


def _has_word(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` with no letter or digit touching either end."""
    at = text.find(phrase)
    while at != -1:
        before = text[at - 1] if at else " "
        after = text[at + len(phrase)] if at + len(phrase) < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        at = text.find(phrase, at + 1)
    return False


def _off_palette(ctx: LintContext, palette: set[str]) -> list[Finding]:
    findings: dict[tuple[str, str], Finding] = {}
    for section in ctx.sections:
        for code, written, start, end in _hex_codes(section.text):
            if code in palette:
                continue
            leaf = ctx.leaves_in(section.text, start, end)
            where = leaf.location() if leaf else ctx.template_location(section.fragment_id)
            findings.setdefault((code, str(where)), Finding(
                Severity.WARNING, RULE,
                f"hex {written} is not in the brand palette",
                "use a palette colour by name and hex, add the colour to the brand kit's palette, or "
                "describe the colour in words",
                (where,), frozenset({code.lower(), written.lower()}),
                leaf.asset_id if leaf else None,
            ))
    return list(findings.values())


@lru_cache(maxsize=CACHE_TEXTS)
def _hex_codes(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """Every hex code in a section's text: normalised, as written, and where (sections repeat
    from brief to brief, so each distinct text is scanned once)."""
    return tuple((normalise_hex(m.group()), m.group(), m.start(), m.end()) for m in HEX_RE.finditer(text))
