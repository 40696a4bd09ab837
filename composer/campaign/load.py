"""Reading a campaign file and checking every id it names against the library, all at once.

Schema problems and unknown ids are collected, located (``line N: field``) and raised together as
one ``CampaignFileError``, so a campaign with five typos needs one edit round, not five.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from composer.attachments import split_reference
from composer.campaign.errors import CampaignFileError
from composer.campaign.models import Campaign, Group
from composer.errors import LibraryError, LocatedError
from composer.library import Library, bundled_library
from composer.paths import inside, is_inside
from composer.shot import ShotSpec
from composer.yamlio import parse_yaml, read_text, validation_errors

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class CampaignSource:
    """A validated campaign file: the model, its text and digest, and line lookup for messages."""

    path: Path
    campaign: Campaign
    text: str
    sha256: str

    @cached_property
    def _root(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The 1-based line of the node at ``loc`` (or its closest existing parent)."""
        node = self._root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == part), None)
                key = next((k for k, _ in node.value if k.value == part), None)
                if key is not None:
                    line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                return line
            node = child
        return line

    def problem(self, loc: Loc, message: str) -> LocatedError:
        field = ".".join(str(p) for p in loc) or None
        return LocatedError(message, path=self.path, line=self.line(loc), field=field)

    def shot_base(self) -> Path:
        """Where explicit shots' ``references`` are relative to: the campaign file's folder."""
        return self.path.parent


def load_campaign(path: Path, library: Library) -> CampaignSource:
    """Read, validate and id-check a campaign file; raise every problem at once."""
    text, digest = read_text(path)
    data = parse_yaml(text, path)
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(path, list(validation_errors(exc, text, path))) from None
    source = CampaignSource(path, campaign, text, digest)
    problems = list(check_ids(source, library))
    if problems:
        raise CampaignFileError(path, problems)
    return source


# -- id checks -----------------------------------------------------------------------------------
class _Known:
    """The ids each kind has in the library (and the campaign's own cast), with suggestions."""

    def __init__(self, library: Library, campaign: Campaign) -> None:
        self.ids: dict[str, list[str]] = {kind: library.ids(kind) for kind in ("character", "product", "scene")}
        self.ids["brand"] = library.ids("brand")
        self.ids["style"] = library.ids("style")
        self.ids["target"] = sorted(library.targets)
        self.ids["rubric"] = sorted(set(library.ids("rubric")) | set(Library(bundled_library()).ids("rubric")))
        self.ids["cast"] = sorted(campaign.cast)
        self.sets = {kind: set(ids) for kind, ids in self.ids.items()}

    def unknown(self, kind: str, value: str) -> str | None:
        if value in self.sets[kind]:
            return None
        return f"unknown {kind} '{value}'{suggest(value, self.ids[kind])}"


def suggest(value: str, known: list[str]) -> str:
    """`` (did you mean 'x'?)``, or `` (known: a, b)`` when the list is short, or `` (none defined)``."""
    if not known:
        return " (none defined)"
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    if len(known) <= 12:
        return f" (known: {', '.join(known)})"
    return f" ({len(known)} known; see `compose list`)"


def check_ids(source: CampaignSource, library: Library) -> Iterator[LocatedError]:
    """Every id the campaign names that names nothing, in file order."""
    campaign = source.campaign
    known = _Known(library, campaign)
    refs: list[tuple[Loc, str, str]] = list(_references(campaign))
    for loc, kind, value in refs:
        if (message := known.unknown(kind, value)) is not None:
            yield source.problem(loc, message)
    yield from _duplicates(source)
    yield from _chains(source, library, known)
    yield from _frames_outside(source, library)
    everything = set().union(*known.sets.values()) | set(campaign.groups) | _variant_names(campaign) | {"shots"}
    used = _used_names(campaign) & everything
    for index, pair in enumerate(campaign.exclusions):
        for j, value in enumerate(pair):
            yield from _check_name(source, ("exclusions", index, j), value, used, everything, "exclusion")
    for index, quota in enumerate(campaign.quotas):
        for j, value in enumerate(quota.of):
            yield from _check_name(source, ("quotas", index, "of", j), value, used, everything, "quota")


def _chains(source: CampaignSource, library: Library, known: _Known) -> Iterator[LocatedError]:
    """A ``from`` group animates the stills of another, ordinary group, with a video target."""
    groups = source.campaign.groups
    for group_id, group in groups.items():
        if group.from_ is None:
            continue
        loc: Loc = ("groups", group_id, "from")
        still = groups.get(group.from_)
        if group.from_ == group_id:
            yield source.problem(loc, "a group cannot take its first frames from itself")
        elif still is None:
            yield source.problem(loc, f"unknown group '{group.from_}'{suggest(group.from_, sorted(groups))}")
        elif still.from_ is not None:
            yield source.problem(loc, f"group '{group.from_}' makes clips, not stills: name a group of stills")
        if group.target is not None and known.unknown("target", group.target) is None \
                and library.target(group.target).kind != "video":
            yield source.problem(("groups", group_id, "target"),
                                 f"target '{group.target}' makes images: a `from` group needs a video target "
                                 "(e.g. sora-2)")


def _frames_outside(source: CampaignSource, library: Library) -> Iterator[LocatedError]:
    """A campaign that is part of the library names reference frames only inside it (one of the
    user's own, outside the library, may name any, as ``--reference`` may)."""
    if not is_inside(source.path, library.root):
        return
    campaign = source.campaign
    lists: list[tuple[Loc, list[ShotSpec]]] = [(("shots",), campaign.shots)]
    lists += [(("groups", name, "shots"), group.shots) for name, group in campaign.groups.items()]
    for loc, shots in lists:
        for i, spec in enumerate(shots):
            for j, ref in enumerate(spec.references):
                try:
                    inside(source.shot_base() / split_reference(ref)[1], library.root)
                except LibraryError as err:
                    yield source.problem((*loc, i, "references", j), f"reference {ref}: {err.reason}")


def _check_name(
    source: CampaignSource, loc: Loc, value: str, used: set[str], everything: set[str], what: str
) -> Iterator[LocatedError]:
    if value in used:
        return
    if value in everything:
        yield source.problem(loc, f"{what} names '{value}', which no shot of this campaign uses")
    else:
        yield source.problem(loc, f"{what} names unknown id '{value}'{suggest(value, sorted(used))}")


def _references(campaign: Campaign) -> Iterator[tuple[Loc, str, str]]:
    """(location, kind, id) for every asset or cast id the campaign names."""
    for key in ("brand", "style", "target"):
        if (value := getattr(campaign, key)) is not None:
            yield (key,), key, value
    yield ("rubric",), "rubric", campaign.rubric
    for cast_id, member in campaign.cast.items():
        yield from _listed(("cast", cast_id), "characters", "character", member.characters)
        yield from _listed(("cast", cast_id), "products", "product", member.products)
    for index, spec in enumerate(campaign.shots):
        yield from _spec_refs(("shots", index), spec)
    for group_id, group in campaign.groups.items():
        yield from _group_refs(("groups", group_id), group)


def _group_refs(loc: Loc, group: Group) -> Iterator[tuple[Loc, str, str]]:
    for key in ("brand", "style", "target"):
        if (value := getattr(group, key)) is not None:
            yield (*loc, key), key, value
    yield from _listed(loc, "targets", "target", group.targets)
    for index, spec in enumerate(group.shots):
        yield from _spec_refs((*loc, "shots", index), spec)
    yield from _listed(loc, "cast", "cast", [c for c in group.cast if c != "*"])
    yield from _listed(loc, "scenes", "scene", group.scenes)
    yield from _listed(loc, "characters", "character", group.characters)
    yield from _listed(loc, "products", "product", group.products)


def _spec_refs(loc: Loc, spec: ShotSpec) -> Iterator[tuple[Loc, str, str]]:
    yield from _listed(loc, "characters", "character", spec.characters)
    yield from _listed(loc, "products", "product", spec.products)
    yield (*loc, "scene"), "scene", spec.scene
    for key in ("brand", "style", "target"):
        if (value := getattr(spec, key)) is not None:
            yield (*loc, key), key, value


def _listed(loc: Loc, field: str, kind: str, values: list[str]) -> Iterator[tuple[Loc, str, str]]:
    for index, value in enumerate(values):
        yield (*loc, field, index), kind, value


def _duplicates(source: CampaignSource) -> Iterator[LocatedError]:
    """A matrix axis that names an entry twice would expand to the same shot twice."""
    for group_id, group in source.campaign.groups.items():
        axes: list[tuple[str, list[Any]]] = [
            ("cast", group.cast),
            ("scenes", group.scenes),
            ("variants", [v.name for v in group.variants]),
        ]
        for axis, values in axes:
            seen: set[str] = set()
            for index, value in enumerate(values):
                if value in seen:
                    loc: Loc = ("groups", group_id, axis, index)
                    if axis == "variants":
                        loc = (*loc, "name")
                    yield source.problem(loc, f"'{value}' is listed twice (each would make the same shots)")
                seen.add(value)
        if "*" in group.cast and len(group.cast) > 1:
            yield source.problem(("groups", group_id, "cast"), "'*' already means every cast id; list nothing else")


def _variant_names(campaign: Campaign) -> set[str]:
    return {v.name for g in campaign.groups.values() for v in g.variants}


def _used_names(campaign: Campaign) -> set[str]:
    """Every id some shot of the campaign can involve: what exclusions and quotas may name."""
    used: set[str] = set(campaign.groups) | _variant_names(campaign)
    if campaign.shots:
        used.add("shots")
    for spec in [*campaign.shots, *(s for g in campaign.groups.values() for s in g.shots)]:
        used.update([*spec.characters, *spec.products, spec.scene])
    for group in campaign.groups.values():
        cast_ids = list(campaign.cast) if "*" in group.cast else group.cast
        used.update(cast_ids)
        for cast_id in cast_ids:
            member = campaign.cast.get(cast_id)
            if member is not None:
                used.update([*member.characters, *member.products])
        used.update([*group.scenes, *group.characters, *group.products])
    return used
