"""Expanding a campaign into shots: matrices, stable content-derived ids, exclusions, quotas, cap.

A shot's id is ``<group>-<words>-<digest>``, the words and the digest taken from what the shot *is*
(its cast id, scene, variant name and take; for an explicit shot, its ShotSpec slug), never from
its position. Editing
or reordering one group therefore renumbers nothing else, and editing a variant's deltas keeps its
shots' ids: the ledger then reports those shots as stale rather than as new.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from composer.backends.types import BackendName
from composer.campaign.errors import CampaignFileError, CapExceededError
from composer.campaign.load import CampaignSource
from composer.campaign.models import EXPLICIT_GROUP, Campaign, GenerationOptions, Group, Quota, Variant
from composer.errors import LocatedError
from composer.models import ShotDeltas
from composer.shot import ShotSpec

MAX_EXPANSION = 1_000_000
"""Most shots any campaign may expand to, even with --yes: counted before one shot is built."""

CONTENDER_SEPARATOR = "@"
"""Between a bake-off shot's id and the target or backend that makes it: ``hero-1a2b3c4d5e@openai-gpt-image-2``
(campaign ids never hold '@', so the review finds the shot by cutting there)."""
ID_DIGEST_CHARS = 10
"""Hex digits of the id digest: 40 bits, so a 10,000-shot group collides with odds of about 1 in 20 million."""


@dataclass(frozen=True, slots=True)
class Shot:
    """One expanded shot: one brief, one generation task, one image (or clip)."""

    id: str
    group: str
    cast: str
    """The cast id (matrix shots) or the joined characters and products (explicit shots)."""
    variant: str
    """The variant name; empty when the group has no variants."""
    take: int
    """1-based take number when the group asks for several images per shot."""
    spec: ShotSpec
    """The shot as the composer sees it; its ``name`` is the shot id, so prompt files are ``<id>.*``."""
    options: GenerationOptions
    backend: BackendName | None
    """The campaign's or group's backend override; None means the target's own."""
    names: frozenset[str]
    """Every id the shot involves (group, cast, characters, products, scene, variant): for exclusions and quotas."""
    cast_label: str = ""
    """The cast's display name (its ``label``, else its id): for people, on contact sheets."""
    still: str = ""
    """A motion shot of a ``from`` group: the id of the still it animates (``composer.campaign.chain``)."""
    use: str = ""
    """A motion shot: which stills it may animate, ``approved`` or ``done``."""
    first_frame: Path | None = None
    """A motion shot: the still's image, once the output folder has it (``chain.resolve``)."""
    waiting: str = ""
    """A motion shot without its first frame: why it waits. Never composed or sent."""

    @property
    def scene(self) -> str:
        return self.spec.scene


@dataclass(frozen=True)
class Expansion:
    """The campaign's shots, in file order, and what exclusions removed."""

    source: CampaignSource
    shots: list[Shot]
    excluded: dict[int, int]
    """Exclusion index -> how many shots it removed."""

    @property
    def campaign(self) -> Campaign:
        return self.source.campaign

    def groups(self) -> list[str]:
        return list(dict.fromkeys(s.group for s in self.shots))


def matrix_size(campaign: Campaign) -> int:
    """Shots before exclusions, computed without expanding (a runaway matrix is refused cheaply)."""
    total = len(campaign.shots)
    for group in campaign.groups.values():
        if group.from_ is not None:  # one clip per still (and take)
            still = campaign.groups.get(group.from_)
            if still is not None and still.from_ is None:
                total += _group_size(campaign, still) * group.images
        else:
            total += _group_size(campaign, group)
    return total


def _group_size(campaign: Campaign, group: Group) -> int:
    if group.shots:
        return len(group.shots) * group.images
    cast = len(campaign.cast) if "*" in group.cast else len(group.cast)
    return max(cast, 1) * len(group.scenes) * max(len(group.variants), 1) * group.images


def expand(source: CampaignSource, *, max_shots: int | None = None, confirm: bool = False) -> Expansion:
    """Every shot of the campaign; refuses a campaign over its cap unless ``confirm``."""
    campaign = source.campaign
    cap = max_shots if max_shots is not None else campaign.max_shots
    size = matrix_size(campaign)
    if size > MAX_EXPANSION:  # even confirmed: the shots would not fit in memory
        raise CapExceededError(
            f"{source.path}: the campaign expands to {size:,} shots (before exclusions), over the "
            f"{MAX_EXPANSION:,} composer can expand in one campaign; split it into several campaign files"
        )
    if size > cap and not confirm:
        raise CapExceededError(
            f"{source.path}: the campaign expands to {size:,} shots (before exclusions), over the cap of "
            f"{cap:,}; confirm with --yes, or raise `max_shots` (or pass --max-shots)"
        )
    pairs = [frozenset(p) for p in campaign.exclusions]
    excluded: Counter[int] = Counter()
    shots: list[Shot] = []
    seen: dict[str, int] = {}
    for shot in _all_shots(source):
        hits = [i for i, pair in enumerate(pairs) if pair <= shot.names]
        if hits:
            excluded.update(hits)
            continue
        if shot.id in seen:
            raise CampaignFileError(source.path, [_duplicate(source, shot, shots[seen[shot.id]])])
        seen[shot.id] = len(shots)
        shots.append(shot)
    problems = _unused_exclusions(source, excluded) + check_quotas(source, shots)
    if problems:
        raise CampaignFileError(source.path, problems)
    return Expansion(source, shots, dict(excluded))


def _all_shots(source: CampaignSource) -> Iterator[Shot]:
    campaign = source.campaign
    base = Group(shots=campaign.shots) if campaign.shots else None
    groups: list[tuple[str, Group]] = [(EXPLICIT_GROUP, base)] if base else []
    groups += list(campaign.groups.items())
    stills: dict[str, list[Shot]] = {}
    for group_id, group in groups:
        if group.from_ is not None:
            continue
        shots = _explicit(source, group_id, group) if group.shots else _matrix(campaign, group_id, group)
        stills[group_id] = list(_contenders(group, shots) if group.targets or group.backends else shots)
        yield from stills[group_id]
    for group_id, group in groups:
        if group.from_ is not None:
            yield from _motion(campaign, group_id, group, stills.get(group.from_, []))


def _motion(campaign: Campaign, group_id: str, group: Group, stills: list[Shot]) -> Iterator[Shot]:
    """A ``from`` group's shots: one per still (and take), waiting for the still's image (``chain``)."""
    use = group.use
    for still in stills:
        deltas = _merge_deltas(still.spec.deltas, group.deltas)
        names = (still.names - {still.group}) | {group_id}
        card, at, contender = still.id.partition(CONTENDER_SEPARATOR)
        words = card.removeprefix(f"{still.group}-").rsplit("-", 1)[0] + (f"-{contender}" if at else "")
        for take in range(1, group.images + 1):
            identity = {"from": still.id, "shot": words, "take": take}
            shot_id = shot_id_for(group_id, identity)
            spec = still.spec.model_copy(update={"target": group.target, "deltas": deltas, "name": shot_id,
                                                 "references": []})
            yield Shot(shot_id, group_id, still.cast, still.variant, take, spec, group.options,
                       group.backend or campaign.backend, names, still.cast_label, still=still.id, use=use,
                       waiting=f"not {use} yet")


def _contenders(group: Group, shots: Iterator[Shot]) -> Iterator[Shot]:
    """A bake-off group's shots, once per target (or backend): ids ``<shot id>@<contender>``."""
    for shot in shots:
        for target in group.targets:
            shot_id = f"{shot.id}{CONTENDER_SEPARATOR}{target}"
            spec = shot.spec.model_copy(update={"target": target, "name": shot_id})
            yield replace(shot, id=shot_id, spec=spec, names=shot.names | {target})
        for backend in group.backends:
            shot_id = f"{shot.id}{CONTENDER_SEPARATOR}{backend}"
            spec = shot.spec.model_copy(update={"name": shot_id})
            yield replace(shot, id=shot_id, spec=spec, backend=backend, names=shot.names | {backend})


def _explicit(source: CampaignSource, group_id: str, group: Group) -> Iterator[Shot]:
    campaign = source.campaign
    options = campaign.options.merged(group.options)
    backend = group.backend or campaign.backend
    for spec in group.shots:
        identity = {"shot": spec.slug()}
        cast = "+".join([*spec.characters, *spec.products])
        filled = {
            key: getattr(spec, key) or getattr(group, key) or getattr(campaign, key)
            for key in ("brand", "style", "target")
        }
        references = [str(source.shot_base() / ref) for ref in spec.references]
        for take in range(1, group.images + 1):
            shot_id = shot_id_for(group_id, {**identity, "take": take})
            full = spec.model_copy(update={**filled, "references": references, "name": shot_id})
            names = frozenset([group_id, *spec.characters, *spec.products, spec.scene])
            yield Shot(shot_id, group_id, cast, "", take, full, options, backend, names, cast)


def _matrix(campaign: Campaign, group_id: str, group: Group) -> Iterator[Shot]:
    cast_ids = list(campaign.cast) if "*" in group.cast else group.cast
    variants: list[Variant | None] = [*group.variants] or [None]
    # Deltas and options are merged once per variant, not once per shot.
    merged = [(v, _merge_deltas(group.deltas, v), campaign.options.merged(group.options).merged(_opts(v)))
              for v in variants]
    common = {
        "brand": group.brand or campaign.brand,
        "style": group.style or campaign.style,
        "target": group.target or campaign.target,
    }
    backend = group.backend or campaign.backend
    for cast_id in cast_ids or [""]:
        member = campaign.cast.get(cast_id)
        characters = [*(member.characters if member else []), *group.characters]
        products = [*(member.products if member else []), *group.products]
        cast = cast_id or "+".join([*characters, *products]) or "-"
        for scene in group.scenes:
            for variant, deltas, options in merged:
                vname = variant.name if variant else ""
                names = frozenset(n for n in (group_id, cast_id, *characters, *products, scene, vname) if n)
                for take in range(1, group.images + 1):
                    identity = {"cast": cast_id, "scene": scene, "variant": vname, "take": take}
                    shot_id = shot_id_for(group_id, identity)
                    spec = ShotSpec(characters=characters, products=products, scene=scene, deltas=deltas,
                                    name=shot_id, references=[], **common)  # (a default list is deep-copied)
                    label = member.label if member and member.label else cast
                    yield Shot(shot_id, group_id, cast, vname, take, spec, options, backend, names, label)


_IDENTITY = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""What ``json.dumps(identity, sort_keys=True, separators=(",", ":"))`` uses, built once: the ids
of every ledger depend on these exact bytes."""


READABLE_CHARS = 80
"""At most this much of an id is words (cut at a hyphen): ids are file names, and stay easy to read."""

_NOT_WORD = re.compile(r"[^a-z0-9.]+")


def shot_id_for(group_id: str, identity: dict[str, Any]) -> str:
    """``<group>-<words>-<digest>``, e.g. ``hero-no7-carrara-marble-overhead-detail-dddda8b004``.

    The words say what the shot is (cast, scene, variant, take; an explicit shot's name or slug);
    the digest of its identity makes the id unique and stable, so ids survive edits elsewhere. The
    digest is the whole of the id before ids had words (``<group>-<digest>``): ``legacy_shot_id``
    finds a shot's row in a ledger written then.
    """
    blob = _IDENTITY.encode(identity).encode()
    digest = hashlib.sha256(blob).hexdigest()[:ID_DIGEST_CHARS]
    take = identity.get("take", 1)
    parts = [identity.get("shot", ""), identity.get("cast", ""), identity.get("scene", ""),
             identity.get("variant", ""), f"take{take}" if take > 1 else ""]
    words = _NOT_WORD.sub("-", "-".join(p for p in parts if p).lower()).strip("-.")
    if len(words) > READABLE_CHARS:
        words = words[:READABLE_CHARS].rsplit("-", 1)[0]
    return f"{group_id}-{words}-{digest}" if words else f"{group_id}-{digest}"


def legacy_shot_id(shot_id: str, group_id: str) -> str:
    """The id ``shot_id`` had before ids had words: ``<group>-<digest>``."""
    return f"{group_id}-{shot_id.rsplit('-', 1)[-1]}"


def _opts(variant: Variant | None) -> GenerationOptions:
    return variant.options if variant else GenerationOptions()


def _merge_deltas(base: ShotDeltas, over: Variant | ShotDeltas | None) -> ShotDeltas:
    """The group's deltas with the variant's (or a motion group's) on top: lists extend, scalars override."""
    if over is None:
        return base
    top = over.deltas if isinstance(over, Variant) else over
    data = base.model_dump(exclude_defaults=True)
    for key, value in top.model_dump(exclude_defaults=True).items():
        data[key] = [*data.get(key, []), *value] if isinstance(value, list) else value
    return ShotDeltas.model_validate(data)


def _duplicate(source: CampaignSource, shot: Shot, first: Shot) -> LocatedError:
    where = ("shots",) if shot.group == EXPLICIT_GROUP else ("groups", shot.group, "shots")
    return source.problem(
        where,
        f"two shots of group '{shot.group}' are the same shot ({shot.cast} in {shot.scene}, id {shot.id}); "
        "give one a `name`, or ask for takes with a group's `images`",
    )


def _unused_exclusions(source: CampaignSource, excluded: Counter[int]) -> list[LocatedError]:
    """An exclusion that removes no shot names a pair that never meets: almost always a mistake."""
    return [
        source.problem(("exclusions", i), f"exclusion [{', '.join(pair)}] excludes nothing: no shot combines them")
        for i, pair in enumerate(source.campaign.exclusions)
        if not excluded[i]
    ]


def check_quotas(source: CampaignSource, shots: list[Shot]) -> list[LocatedError]:
    """Every quota the expanded shots break, located at the quota."""
    problems = []
    for index, quota in enumerate(source.campaign.quotas):
        where = ("quotas", index)
        for label, count in _quota_counts(quota, shots):
            if quota.min is not None and count < quota.min:
                problems.append(source.problem(where, f"{label} gets {count} images, below the min of {quota.min}"))
            if quota.max is not None and count > quota.max:
                problems.append(source.problem(where, f"{label} gets {count} images, above the max of {quota.max}"))
    return problems


def _quota_counts(quota: Quota, shots: list[Shot]) -> list[tuple[str, int]]:
    if quota.of:
        wanted = frozenset(quota.of)
        return [(" + ".join(quota.of), sum(1 for s in shots if wanted <= s.names))]
    counts: Counter[str] = Counter()
    for shot in shots:
        for key in _kind_ids(quota.each or "", shot):
            counts[key] += 1
    return [(f"{quota.each} '{key}'", n) for key, n in sorted(counts.items())]


def _kind_ids(kind: str, shot: Shot) -> list[str]:
    if kind == "group":
        return [shot.group]
    if kind == "cast":
        return [shot.cast]
    if kind == "scene":
        return [shot.scene]
    if kind == "character":
        return list(dict.fromkeys(shot.spec.characters))
    return list(dict.fromkeys(shot.spec.products))
