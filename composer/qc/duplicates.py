"""Near-duplicates across takes: a 64-bit perceptual hash (imagehash's pHash) per image, compared by
Hamming distance against every image seen before in the same run or campaign."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from composer.qc.rules import QcFinding, finding


def perceptual_hash(image: Image.Image) -> int:
    """The image's 64-bit pHash as an int (stable: store it, compare it later)."""
    import imagehash

    bits = imagehash.phash(image).hash.ravel()
    return int("".join("1" if bit else "0" for bit in bits), 2)


@dataclass
class DuplicateIndex:
    """Hashes seen so far; ``check`` flags a new image close to any of them, then remembers it."""

    max_distance: int
    names: list[str] = field(default_factory=list)
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    def check(self, name: str, value: int) -> list[QcFinding]:
        distances = np.bitwise_count(self.hashes ^ np.uint64(value)) if len(self.hashes) else np.zeros(0, int)
        close = np.flatnonzero(distances <= self.max_distance)
        findings = [
            finding("near-duplicate", f"near-duplicate of {self.names[i]} (perceptual hash {int(distances[i])} "
                                      f"of 64 bits apart)")
            for i in close[np.argsort(distances[close], kind="stable")][:5]
        ]
        self.names.append(name)
        self.hashes = np.append(self.hashes, np.uint64(value))
        return findings
