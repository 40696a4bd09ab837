"""The measurements every colour rule shares, made once per image on its analysis copy.

CIELAB conversion and CIEDE2000 come from scikit-image's ``color`` module (vectorised numpy; chosen
by measurement over colour-science and coloraide, see docs/qc.md). CIEDE2000 is costly per pair, so
pixels are first binned (2 Lab units a side, ~4,000 distinct bins in a 256x256 photograph) and
distances are computed once per bin, weighted by its pixel count.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from composer.qc.families import LCh

BIN = 2.0
"""Lab units per bin side."""
CLUSTERS = 6
"""How many dominant colours are reported."""
CLUSTER_SAMPLE = 4096
"""Pixels the clustering sees (an even stride over the analysis copy)."""


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (uint8, ... x 3) to CIELAB (D65), float."""
    from skimage.color import rgb2lab  # scikit-image loads lazily; only QC pays for it

    return np.asarray(rgb2lab(np.asarray(rgb, dtype=np.float32) / 255.0))


def hex_to_lab(codes: list[str]) -> np.ndarray:
    """``#RRGGBB`` codes to an (n, 3) Lab array."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in codes], dtype=np.uint8).reshape(-1, 1, 3)
    return rgb_to_lab(rgb).reshape(-1, 3)


def lab_to_hex(lab: np.ndarray) -> list[str]:
    from skimage.color import lab2rgb

    rgb = np.clip(np.round(np.asarray(lab2rgb(lab.reshape(-1, 1, 3))).reshape(-1, 3) * 255), 0, 255).astype(int)
    return [f"#{r:02X}{g:02X}{b:02X}" for r, g, b in rgb]


def delta_e(lab: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """CIEDE2000 from each of ``lab`` (n, 3) to each of ``refs`` (m, 3): an (n, m) array."""
    from skimage.color import deltaE_ciede2000

    if len(refs) == 0:
        return np.zeros((len(lab), 0))
    return np.stack([deltaE_ciede2000(lab, np.broadcast_to(ref, lab.shape))  # type: ignore[no-untyped-call]
                     for ref in refs], axis=1)


@dataclass
class Pixels:
    """One image's analysis copy in CIELAB, with its colour bins."""

    lab: np.ndarray
    """(h, w, 3)."""

    @classmethod
    def of(cls, rgb: np.ndarray) -> Pixels:
        return cls(rgb_to_lab(rgb))

    @property
    def count(self) -> int:
        return int(self.lab.shape[0] * self.lab.shape[1])

    @cached_property
    def lch(self) -> LCh:
        return LCh.of(self.lab)

    @cached_property
    def _bins(self) -> tuple[np.ndarray, np.ndarray]:
        q = np.round(self.lab.reshape(-1, 3) / BIN).astype(np.int32) + 128
        keys = (q[:, 0] << 16) | (q[:, 1] << 8) | q[:, 2]
        unique, counts = np.unique(keys, return_counts=True)
        centres = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1)
        return (centres.astype(np.float64) - 128) * BIN, counts

    @property
    def bin_colours(self) -> np.ndarray:
        """(n, 3) Lab centre of each occupied bin."""
        return self._bins[0]

    @property
    def bin_counts(self) -> np.ndarray:
        return self._bins[1]

    def share_within(self, refs: np.ndarray, tolerance: float) -> np.ndarray:
        """For each reference colour, the fraction of the frame within ``tolerance`` (CIEDE2000) of it;
        and, last, the fraction within tolerance of any of them."""
        near = delta_e(self.bin_colours, refs) <= tolerance
        weights = self.bin_counts / self.count
        return np.append(weights @ near, weights @ near.any(axis=1) if len(refs) else 0.0)

    @cached_property
    def dominant(self) -> list[tuple[np.ndarray, float]]:
        """The dominant colours (k-means in CIELAB over a sample), biggest share first: (Lab, share)."""
        from scipy.cluster.vq import kmeans2

        flat = self.lab.reshape(-1, 3)
        sample = flat[:: max(1, len(flat) // CLUSTER_SAMPLE)].astype(np.float64)
        k = min(CLUSTERS, len(self.bin_colours))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty cluster on a near-uniform image: it gets no share
            centres, _ = kmeans2(sample, k, iter=10, minit="++", seed=0)
        # Shares over every pixel (as bins), not just the sample: each bin to its nearest centre.
        nearest = np.argmin(((self.bin_colours[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        shares = np.bincount(nearest, weights=self.bin_counts, minlength=len(centres)) / self.count
        order = np.argsort(-shares)
        return [(centres[i], float(shares[i])) for i in order if shares[i] > 0]
