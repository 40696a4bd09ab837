"""The price table: what a generation costs, read from data (``composer/prices.yaml``), never code.

A library may override it with its own ``prices.yaml`` at the library root: a model entry there
replaces the bundled one, and ``kie.credit_usd`` there replaces the bundled credit value. Every
``Cost`` carries the source and date of the figures used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from composer.backends.options import kie_model_for
from composer.backends.types import Cost, Job
from composer.capabilities import model_family
from composer.models import Asset
from composer.yamlio import load_model

BUNDLED_PRICES = Path(__file__).resolve().parent.parent / "prices.yaml"
PRICES_FILE = "prices.yaml"


class PriceEntry(Asset):
    """One figure with its own provenance (a per-resolution or per-length reading from another page)."""

    credits: float = Field(ge=0)
    """Credits per generation."""
    source: str = ""
    """Where the figure comes from (default: the model entry's source)."""
    date: str = ""
    """When it was read (default: the model entry's date)."""


class KieModelPrice(Asset):
    credits: float | None = Field(default=None, ge=0)
    """Credits per generation; null when unknown."""
    per_resolution: dict[str, float | PriceEntry] = {}
    """Credits by resolution (``1K``, ``2K``, ``4K``), overriding ``credits``: a number, or
    ``{credits, source, date}`` when the figure has its own provenance."""
    per_n_frames: dict[str, float | PriceEntry] = {}
    """Credits per clip by length in seconds (``"10"``, ``"15"``), overriding ``credits`` (video models)."""
    source: str = ""
    """Where the figure comes from."""
    date: str = ""
    """When it was read."""

    def entry(self, table: dict[str, float | PriceEntry], key: str) -> PriceEntry:
        """``table[key]`` with this entry's source and date where it names none."""
        value = table[key]
        if not isinstance(value, PriceEntry):
            return PriceEntry(credits=value, source=self.source, date=self.date)
        return value.model_copy(update={"source": value.source or self.source, "date": value.date or self.date})


class KiePrices(Asset):
    credit_usd: float | None = Field(default=None, ge=0)
    """US dollars per KIE credit."""
    credit_source: str = ""
    """Where the credit value comes from."""
    credit_date: str = ""
    """When it was read."""
    models: dict[str, KieModelPrice] = {}
    """By model family (``gpt-image-2``, ``sora-2``) or exact KIE model id."""


class OpenAIModelPrice(Asset):
    usd_per_million_tokens: dict[str, float] = {}
    """``text_input``, ``image_input``, ``image_output``, ``text_output``: USD per 1M tokens."""
    usd_per_image: dict[str, dict[str, float]] = {}
    """USD per image by quality (``low``, ``medium``, ``high``), then by size (``1024x1536``): OpenAI
    prices by (quality, size), and a portrait image costs less than a square one."""
    source: str = ""
    """Where the figures come from."""
    date: str = ""
    """When they were read."""


class OpenAIPrices(Asset):
    models: dict[str, OpenAIModelPrice] = {}
    """By model (``gpt-image-2``)."""


class PriceFile(Asset):
    """The layout of ``prices.yaml``."""

    kie: KiePrices = KiePrices()
    """KIE's credit value and per-model credits."""
    openai: OpenAIPrices = OpenAIPrices()
    """OpenAI's per-model token prices and per-image estimates."""


class PriceTable:
    """The bundled prices, overridden by a library's ``prices.yaml``."""

    def __init__(self, prices: PriceFile, sources: list[Path]) -> None:
        self.prices = prices
        self.sources = sources

    @classmethod
    def load(cls, library_root: Path | None = None) -> PriceTable:
        """The bundled table, with ``<library_root>/prices.yaml`` merged over it when present."""
        bundled = load_model(BUNDLED_PRICES, PriceFile)[0]
        override_path = library_root / PRICES_FILE if library_root else None
        if override_path is None or not override_path.is_file():
            return cls(bundled, [BUNDLED_PRICES])
        return cls(merge(bundled, load_model(override_path, PriceFile)[0]), [BUNDLED_PRICES, override_path])

    # -- KIE ------------------------------------------------------------------------------------
    def kie_cost(self, job: Job) -> Cost:
        kie = self.prices.kie
        model_id = kie_model_for(job)
        family = model_family(job.model) or job.model
        entry = kie.models.get(model_id) or kie.models.get(family)
        if entry is None:
            return Cost(usd=None, basis=f"no price for kie/{model_id} in {PRICES_FILE}")
        found, detail = _kie_variant(entry, job)
        if found is None and entry.per_n_frames and job.options.n_frames is None:
            lengths = ", ".join(sorted(entry.per_n_frames))
            return Cost(usd=None, basis=f"the table prices kie/{family} by length ({lengths} s): pass --n-frames")
        if found is None:
            return Cost(usd=None, basis=f"no price for kie/{family} in {PRICES_FILE}: {entry.source}")
        usd = found.credits * kie.credit_usd if kie.credit_usd is not None else None
        rate = f" x ${kie.credit_usd:g}" if kie.credit_usd is not None else " (credit value unknown)"
        return Cost(usd=usd, credits=found.credits, basis=f"{found.credits:g} credits{detail}{rate}",
                    source=found.source, date=found.date)

    # -- OpenAI ---------------------------------------------------------------------------------
    def _openai_entry(self, job: Job) -> OpenAIModelPrice | None:
        models = self.prices.openai.models
        return models.get(job.model) or models.get(model_family(job.model) or job.model)

    def openai_estimate(self, job: Job) -> Cost:
        """The table's price for (model, quality, size); ``auto`` quality is priced as high and an
        ``auto`` (or unsent) size as the dearest listed size, so an estimate never undershoots."""
        entry = self._openai_entry(job)
        quality = job.options.quality or "auto"
        priced_as = "high" if quality == "auto" else quality
        sizes = entry.usd_per_image.get(priced_as, {}) if entry else {}
        if entry is None or not sizes:
            return Cost(usd=None, basis=f"no per-image price for openai/{job.model} ({quality}) in {PRICES_FILE}")
        size = job.options.size or "auto"
        if size == "auto":
            size_note = f"auto size priced as {max(sizes, key=sizes.__getitem__)}"
            usd = max(sizes.values())
        elif size in sizes:
            size_note, usd = size, sizes[size]
        else:
            return Cost(usd=None, basis=f"no price for openai/{job.model} {priced_as} quality at {size} in "
                                        f"{PRICES_FILE} (it lists {', '.join(sizes)})")
        return Cost(usd=usd, basis=f"{priced_as} quality, {size_note}, ${usd:g}/image",
                    source=entry.source, date=entry.date)

    def openai_cost(self, job: Job, usage: dict[str, Any] | None) -> Cost:
        """The cost from OpenAI's reported token usage, or the estimate when there is none."""
        entry = self._openai_entry(job)
        if entry is None or not usage or not entry.usd_per_million_tokens:
            return self.openai_estimate(job)
        rates = entry.usd_per_million_tokens
        counts = usage_counts(usage)
        usd = sum(counts[k] * rates.get(k, 0.0) for k in counts) / 1_000_000
        basis = ", ".join(f"{counts[k]:,} {k.replace('_', ' ')} tokens" for k in counts if counts[k])
        return Cost(usd=usd, basis=basis or "no tokens reported", source=entry.source, date=entry.date,
                    estimated=False)

    # -- either ---------------------------------------------------------------------------------
    def estimate(self, job: Job) -> Cost:
        return self.kie_cost(job) if job.backend == "kie" else self.openai_estimate(job)

    def credit_usd(self) -> float | None:
        return self.prices.kie.credit_usd

    # -- the whole table (``compose prices``) -----------------------------------------------------
    def rows(self) -> list[PriceRow]:
        """Every figure in the table, one row each, with its own source and date."""
        rows = [PriceRow("kie", "1 credit", "", None, self.prices.kie.credit_usd, self.prices.kie.credit_source,
                         self.prices.kie.credit_date)]
        rate = self.prices.kie.credit_usd
        for model, entry in self.prices.kie.models.items():
            if entry.credits is not None or not (entry.per_resolution or entry.per_n_frames):
                usd = entry.credits * rate if entry.credits is not None and rate is not None else None
                rows.append(PriceRow("kie", model, "", entry.credits, usd, entry.source, entry.date))
            variants = [(key, entry.entry(entry.per_resolution, key)) for key in entry.per_resolution]
            variants += [(f"{key} s", entry.entry(entry.per_n_frames, key)) for key in entry.per_n_frames]
            rows += [PriceRow("kie", model, variant, figure.credits,
                              figure.credits * rate if rate is not None else None, figure.source, figure.date)
                     for variant, figure in variants]
        for model, price in self.prices.openai.models.items():
            rows += [PriceRow("openai", model, f"1M {kind} tokens", None, usd, price.source, price.date)
                     for kind, usd in price.usd_per_million_tokens.items()]
            for quality, sizes in price.usd_per_image.items():
                rows += [PriceRow("openai", model, f"{quality} {size}", None, usd, price.source, price.date)
                         for size, usd in sizes.items()]
        return rows


@dataclass(frozen=True)
class PriceRow:
    """One figure of the price table, as ``compose prices`` lists it."""

    backend: str
    model: str
    variant: str
    """Resolution, clip length, or quality and size; empty for a flat price."""
    credits: float | None
    usd: float | None
    source: str
    date: str


def usage_counts(usage: dict[str, Any]) -> dict[str, int]:
    """OpenAI's ``usage`` as token counts by price key (text/image input, image/text output)."""
    details_in = usage.get("input_tokens_details") or {}
    details_out = usage.get("output_tokens_details") or {}
    text_in = int(details_in.get("text_tokens", 0) or 0)
    image_in = int(details_in.get("image_tokens", 0) or 0)
    if not details_in:
        text_in = int(usage.get("input_tokens", 0) or 0)
    if details_out:
        image_out = int(details_out.get("image_tokens", 0) or 0)
        text_out = int(details_out.get("text_tokens", 0) or 0)
    else:  # without details, every output token of an image model is an image token
        image_out, text_out = int(usage.get("output_tokens", 0) or 0), 0
    return {"text_input": text_in, "image_input": image_in, "image_output": image_out, "text_output": text_out}


def _kie_variant(entry: KieModelPrice, job: Job) -> tuple[PriceEntry | None, str]:
    """The figure that prices ``job`` (its length's, its resolution's, else the flat one) and how it
    is described."""
    opts = job.options
    if opts.n_frames is not None and str(opts.n_frames) in entry.per_n_frames:
        return entry.entry(entry.per_n_frames, str(opts.n_frames)), f" for {opts.n_frames} s"
    resolution = opts.resolution or "1K"  # KIE renders 1K when no resolution is sent
    if resolution in entry.per_resolution:
        return entry.entry(entry.per_resolution, resolution), f" at {resolution}"
    if entry.credits is None:
        return None, ""
    return PriceEntry(credits=entry.credits, source=entry.source, date=entry.date), ""


def merge(base: PriceFile, override: PriceFile) -> PriceFile:
    """``override``'s model entries and credit value over ``base``'s."""
    kie = base.kie.model_copy(update={
        "models": {**base.kie.models, **override.kie.models},
        **({"credit_usd": override.kie.credit_usd, "credit_source": override.kie.credit_source,
            "credit_date": override.kie.credit_date} if override.kie.credit_usd is not None else {}),
    })
    openai = base.openai.model_copy(update={"models": {**base.openai.models, **override.openai.models}})
    return PriceFile(kie=kie, openai=openai)
