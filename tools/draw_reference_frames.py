"""Draw the example library's reference frames with Pillow.

Each character and product bible in the bundled library names a clean reference frame: a
front-facing illustration on a neutral background that shows the features a model must keep
(Isla's copper-red curls and bottle-green velvet jacket, Barnaby's mustard scarf, Fennel's
waistcoat and white-tipped tail, Olwen's spectacles and shawl, the flacon's shape, cap and label).
They are honest drawings, not photographs: they fix shape, colour and proportion, not rendering.

Usage (from the repository root)::

    .venv/bin/python tools/draw_reference_frames.py            # write every frame
    .venv/bin/python tools/draw_reference_frames.py --check    # exit 1 if a committed frame differs

The output is deterministic: shapes come from fixed coordinates and a fixed-seed random generator,
and the PNG encoder writes no timestamps, so the same Pillow version writes the same bytes on every
run. Each image is drawn at ``SUPERSAMPLE`` times its size and downsampled for clean edges, then
quantised to a 256-colour palette to keep the files small. Files are written atomically.

Coordinates below are in output pixels (768 x 1024 for characters, 1024 x 1024 for the product);
``Pen`` scales them to the supersampled canvas.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
SUPERSAMPLE = 3
BACKGROUND = (237, 234, 229)
Point = tuple[float, float]
Colour = tuple[int, int, int] | tuple[int, int, int, int]


class Pen:
    """ImageDraw over a supersampled canvas, taking coordinates in output pixels."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.s = SUPERSAMPLE
        self.image = Image.new("RGB", (size[0] * self.s, size[1] * self.s), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def _pts(self, points: Iterable[Point]) -> list[tuple[float, float]]:
        return [(x * self.s, y * self.s) for x, y in points]

    def _box(self, box: Sequence[float]) -> list[float]:
        return [v * self.s for v in box]

    def ellipse(self, box: Sequence[float], fill: Colour | None = None,
                outline: Colour | None = None, width: float = 0) -> None:
        self.draw.ellipse(self._box(box), fill=fill, outline=outline, width=round(width * self.s))

    def circle(self, x: float, y: float, r: float, fill: Colour | None = None,
               outline: Colour | None = None, width: float = 0) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill, outline, width)

    def polygon(self, points: Iterable[Point], fill: Colour | None = None,
                outline: Colour | None = None, width: float = 0) -> None:
        pts = self._pts(points)
        self.draw.polygon(pts, fill=fill)
        if outline is not None:
            self.draw.line([*pts, pts[0]], fill=outline, width=round(width * self.s), joint="curve")

    def line(self, points: Iterable[Point], fill: Colour, width: float = 1) -> None:
        self.draw.line(self._pts(points), fill=fill, width=max(1, round(width * self.s)), joint="curve")

    def arc(self, box: Sequence[float], start: float, end: float, fill: Colour, width: float = 1) -> None:
        self.draw.arc(self._box(box), start, end, fill=fill, width=max(1, round(width * self.s)))

    def rect(self, box: Sequence[float], fill: Colour | None = None,
             outline: Colour | None = None, width: float = 0) -> None:
        self.draw.rectangle(self._box(box), fill=fill, outline=outline, width=round(width * self.s))

    def soft_shadow(self, box: Sequence[float], colour: Colour, blur: float) -> None:
        """A blurred ellipse (a contact shadow), composited onto the canvas."""
        layer = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(layer).ellipse(self._box(box), fill=255)
        layer = layer.filter(ImageFilter.GaussianBlur(blur * self.s))
        self.image.paste(Image.new("RGB", self.image.size, colour[:3]), mask=layer)
        self.draw = ImageDraw.Draw(self.image)

    def glaze(self, paint: Callable[[Pen], object], opacity: float) -> None:
        """Paint onto a copy and blend it back at ``opacity`` (for glass, sheen and blush)."""
        base = self.image.copy()
        paint(self)
        self.image = Image.blend(base, self.image, opacity)
        self.draw = ImageDraw.Draw(self.image)

    def finish(self) -> Image.Image:
        small = self.image.resize(self.size, Image.Resampling.LANCZOS)
        return small.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def oval(cx: float, cy: float, rx: float, ry: float, taper: float = 0.0, steps: int = 72) -> list[Point]:
    """An ellipse as a polygon; ``taper`` narrows the lower half toward a softly pointed chin."""
    points = []
    for i in range(steps):
        t = 2 * math.pi * i / steps
        squeeze = 1 - taper * max(0.0, math.sin(t)) ** 2
        points.append((cx + rx * math.cos(t) * squeeze, cy + ry * math.sin(t)))
    return points


def mirror(points: Iterable[Point], cx: float) -> list[Point]:
    return [(2 * cx - x, y) for x, y in points]


# -- Isla (red-curls) ----------------------------------------------------------------------------

SKIN = (242, 215, 198)
SKIN_SHADE = (226, 190, 170)
HAIR_DEEP = (100, 33, 20)
HAIR_MID = (178, 74, 40)
HAIR_LIGHT = (218, 124, 76)
VELVET = (31, 77, 58)
VELVET_SHEEN = (46, 102, 79)
VELVET_DARK = (19, 50, 37)
IVORY = (245, 239, 225)
BRASS = (176, 138, 62)
BRASS_LIGHT = (230, 200, 128)
BRASS_DARK = (96, 70, 30)


def ringlets(pen: Pen, rng: random.Random, box: tuple[float, float, float, float], spacing: float) -> None:
    """Hanging spiral ringlets: helices seen slightly from above, so each turn shows as a loop."""
    x0, y0, x1, y1 = box
    x = x0
    while x < x1:
        top = y0 - rng.uniform(0, 30)
        radius, pitch = rng.uniform(8, 10), rng.uniform(18, 22)
        phase = rng.uniform(0, 2 * math.pi)
        steps = int((y1 - top) / pitch * 2 * math.pi / 0.2) + 1
        pts = [(x + radius * math.cos(t + phase), top + pitch * t / (2 * math.pi) + 6 * math.sin(t + phase))
               for t in (i * 0.2 for i in range(steps))]
        pen.line(pts, HAIR_MID, 6)
        for i in range(0, len(pts) - 6, 31):  # the lit front of each turn
            pen.line(pts[i + 1 : i + 6], HAIR_LIGHT, 2.6)
        x += spacing * rng.uniform(0.85, 1.15)


def scalloped(points: list[Point], step: float = 16) -> list[tuple[float, float, float]]:
    """Circles along a polygon's edge: the soft, bumpy silhouette of a head of curls."""
    bumps: list[tuple[float, float, float]] = []
    for (ax, ay), (bx, by) in zip(points, [*points[1:], points[0]], strict=True):
        n = max(1, int(math.hypot(bx - ax, by - ay) / step))
        bumps += [(ax + (bx - ax) * i / n, ay + (by - ay) * i / n, 11 + 4 * (i % 2)) for i in range(n)]
    return bumps


def hair(pen: Pen, rng: random.Random, shapes: list[tuple[list[Point], int]],
         box: tuple[float, float, float, float]) -> None:
    """Paint ringlets over a deep-auburn base, inside the mask made of ``shapes`` (polygon, 255/0);
    added shapes get a scalloped edge."""
    mask = Image.new("L", pen.image.size, 0)
    draw = ImageDraw.Draw(mask)
    for points, value in shapes:
        draw.polygon(pen._pts(points), fill=value)
        if value:
            for x, y, r in scalloped(points):
                draw.ellipse(pen._box((x - r, y - r, x + r, y + r)), fill=255)
    layer = Pen(pen.size)
    layer.rect((0, 0, *pen.size), fill=HAIR_DEEP)
    ringlets(layer, rng, box, 17)
    ringlets(layer, rng, (box[0] + 8, box[1] + 10, box[2], box[3]), 17)
    pen.image.paste(layer.image, mask=mask)
    pen.draw = ImageDraw.Draw(pen.image)


def isla_back_hair(pen: Pen, rng: random.Random) -> None:
    hair(pen, rng, [(oval(384, 330, 160, 196), 255)], (205, 115, 565, 540))


def isla_jacket(pen: Pen) -> None:
    outer = [(352, 482), (250, 520), (196, 552), (182, 620), (166, 1024)]
    pen.polygon([*outer, *reversed(mirror(outer, 384))], fill=VELVET, outline=VELVET_DARK, width=2)
    seam = [(196, 552), (226, 640), (236, 700), (250, 860), (236, 940), (232, 1024)]
    for side in (seam, mirror(seam, 384)):  # set-in sleeves over a waist nipped in at the seams
        pen.line(side, VELVET_DARK, 2.5)
    pen.polygon([(352, 482), (416, 482), (384, 712)], fill=IVORY)  # the blouse under the V
    pen.polygon(oval(384, 478, 34, 26), fill=SKIN)  # round neckline of the blouse
    pen.arc((350, 452, 418, 504), 20, 160, (214, 206, 190), 2)
    lapel = [(352, 484), (384, 714), (326, 640), (298, 566), (318, 552)]
    collar = [(352, 484), (318, 552), (300, 544), (322, 478)]
    for shape in (lapel, collar, mirror(lapel, 384), mirror(collar, 384)):
        pen.polygon(shape, fill=VELVET_SHEEN, outline=VELVET_DARK, width=2)
    pen.line([(384, 714), (386, 1024)], VELVET_DARK, 2.5)  # front edge of the single-breasted closure
    for y in (735, 810, 885):
        pen.circle(384, y, 11, fill=BRASS, outline=BRASS_DARK, width=1.5)
        pen.circle(380, y - 4, 4.5, fill=BRASS_LIGHT)
    for x0 in (262, 418):  # straight flap pockets at the hips
        pen.rect((x0, 952, x0 + 88, 982), fill=VELVET, outline=VELVET_DARK, width=2)
        pen.line([(x0, 952), (x0 + 88, 952)], VELVET_SHEEN, 2)


def blush(pen: Pen) -> None:
    for x in (318, 406):
        pen.ellipse((x, 322, x + 44, 352), fill=(236, 178, 160))


def isla_face(pen: Pen, rng: random.Random) -> None:
    pen.rect((352, 400, 416, 492), fill=SKIN_SHADE)  # neck, in the jaw's shadow
    pen.polygon(oval(384, 300, 84, 120, taper=0.22), fill=SKIN, outline=SKIN_SHADE, width=1.5)
    pen.glaze(blush, 0.35)
    for cx, flip in ((348, 1), (420, -1)):  # almond eyes, green-grey iris with a darker ring
        eye = [(cx - 21, 300), (cx - 8, 290), (cx + 8, 289), (cx + 21, 298), (cx + 8, 307), (cx - 8, 308)]
        pen.polygon(eye if flip == 1 else mirror(eye, cx), fill=(248, 245, 240))
        pen.circle(cx, 298.5, 8.5, fill=(128, 142, 124), outline=(70, 84, 72), width=1.8)
        pen.circle(cx, 298.5, 3.6, fill=(28, 28, 28))
        pen.circle(cx - 2.5, 295.5, 1.8, fill=(255, 255, 255))
        pen.line(eye[:4] if flip == 1 else mirror(eye[:4], cx), (88, 52, 38), 2.6)
        pen.line([(cx - 22 * flip, 272), (cx, 266), (cx + 22 * flip, 268)], (132, 58, 32), 5)
    pen.line([(386, 300), (388, 338), (392, 346)], SKIN_SHADE, 2.5)  # straight nose, slight upturn
    pen.arc((372, 336, 396, 354), 10, 170, (205, 160, 140), 2.2)
    pen.polygon([(360, 374), (372, 369), (384, 372), (396, 369), (408, 374), (384, 378)], fill=(196, 124, 114))
    pen.polygon([(360, 374), (384, 378), (408, 374), (398, 387), (384, 390), (370, 387)], fill=(212, 140, 128))
    pen.line([(360, 374), (384, 378), (408, 374)], (160, 92, 84), 1.6)
    pen.circle(364, 364, 2.4, fill=(104, 66, 52))  # the mole above the right corner of her lip
    for _ in range(70):  # freckles over the nose and cheeks, denser on her left (viewer's right)
        x = rng.triangular(322, 452, 410)
        y = rng.uniform(306, 348)
        if abs(x - 386) > 6 or y > 318:
            pen.circle(x, y, rng.uniform(1.0, 1.8), fill=(200, 146, 112))


def isla_front_hair(pen: Pen, rng: random.Random) -> None:
    """Curls framing the face from a centre parting, and cascading over both shoulders."""
    cascade: list[Point] = [(214, 420), (296, 420), (298, 540), (282, 660), (256, 690), (228, 660), (210, 540)]
    neck: list[Point] = [(340, 412), (428, 412), (428, 470), (340, 470)]
    shapes = [(oval(384, 300, 106, 144), 255), (oval(384, 322, 80, 118, taper=0.22), 0), (neck, 0),
              (cascade, 255), (mirror(cascade, 384), 255)]
    hair(pen, rng, shapes, (200, 140, 570, 700))
    pen.line([(384, 158), (384, 192)], (200, 120, 96), 2)  # the centre parting


def draw_isla() -> Image.Image:
    pen, rng = Pen((768, 1024)), random.Random(7)
    isla_back_hair(pen, rng)
    isla_jacket(pen)
    isla_face(pen, rng)
    isla_front_hair(pen, rng)
    return pen.finish()


# -- Barnaby Bear ---------------------------------------------------------------------------------

FUR_BEAR = (90, 58, 36)
FUR_BEAR_DARK = (62, 38, 22)
FUR_BEAR_LIGHT = (150, 108, 64)
CREAM = (236, 222, 192)
MUSTARD = (212, 160, 42)
MUSTARD_DARK = (170, 122, 28)


def knit(pen: Pen, box: tuple[float, float, float, float], colour: Colour) -> None:
    """Knitted texture: rows of small chevrons across a band."""
    x0, y0, x1, y1 = box
    y = y0 + 6
    while y < y1 - 4:
        x = x0 + 4
        while x < x1 - 8:
            pen.line([(x, y - 3), (x + 4, y + 2), (x + 8, y - 3)], colour, 1.6)
            x += 10
        y += 9


def limb(pen: Pen, points: list[Point], width: float, fill: Colour, outline: Colour) -> None:
    """A rounded limb: a thick stroke with round ends, outlined."""
    for colour, w in ((outline, width + 4), (fill, width)):
        pen.line(points, colour, w)
        for x, y in (points[0], points[-1]):
            pen.circle(x, y, w / 2, fill=colour)


def bear_body(pen: Pen) -> None:
    for cx in (300, 468):  # short legs and broad feet with cream pads
        pen.ellipse((cx - 62, 850, cx + 62, 970), fill=FUR_BEAR, outline=FUR_BEAR_DARK, width=2)
        pen.ellipse((cx - 40, 918, cx + 40, 962), fill=CREAM)
    pen.ellipse((214, 430, 554, 920), fill=FUR_BEAR, outline=FUR_BEAR_DARK, width=2)
    pen.ellipse((276, 560, 492, 880), fill=(104, 70, 44))  # round belly
    for sx, px in ((252, 200), (516, 568)):  # arms hanging loosely, paw pads turned forward
        limb(pen, [(sx, 520), (px, 700)], 60, FUR_BEAR, FUR_BEAR_DARK)
        pen.ellipse((px - 22, 694, px + 22, 728), fill=CREAM)
    pen.polygon([(330, 508), (384, 530), (438, 508), (432, 536), (384, 552), (336, 536)], fill=CREAM)


def bear_head(pen: Pen) -> None:
    for cx in (262, 506):
        pen.circle(cx, 176, 46, fill=FUR_BEAR, outline=FUR_BEAR_DARK, width=2)
        pen.circle(cx, 178, 28, fill=CREAM)
        pen.arc((cx - 46, 130, cx + 46, 222), 180, 360, FUR_BEAR_LIGHT, 4)
    pen.circle(384, 300, 150, fill=FUR_BEAR, outline=FUR_BEAR_DARK, width=2)
    pen.ellipse((310, 300, 458, 404), fill=FUR_BEAR_LIGHT)
    pen.ellipse((318, 306, 450, 398), fill=CREAM)  # short cream muzzle, honey-brown at its edge
    pen.ellipse((356, 312, 412, 348), fill=(46, 28, 18))
    pen.ellipse((370, 317, 388, 327), fill=(120, 92, 72))
    pen.line([(384, 348), (384, 362)], (46, 28, 18), 3)
    pen.arc((350, 336, 418, 380), 30, 150, (46, 28, 18), 3.5)  # a closed-mouth smile
    for cx in (322, 446):
        pen.circle(cx, 272, 12, fill=(18, 14, 12))
        pen.circle(cx - 4, 268, 4, fill=(255, 255, 255))


def bear_scarf(pen: Pen) -> None:
    """Wrapped twice around the neck; one end down his front, the other over his shoulder."""
    pen.polygon([(258, 440), (300, 432), (296, 470), (262, 478)], fill=MUSTARD_DARK)  # end over the shoulder
    for top in (420, 452):
        band = [(236, top + 12), (384, top + 26), (532, top + 12), (530, top + 50), (384, top + 64),
                (238, top + 50)]
        pen.polygon(band, fill=MUSTARD, outline=MUSTARD_DARK, width=2)
    knit(pen, (244, 434, 524, 510), MUSTARD_DARK)
    end = [(428, 488), (488, 486), (494, 800), (436, 804)]
    pen.polygon(end, fill=MUSTARD, outline=MUSTARD_DARK, width=2)
    knit(pen, (432, 500, 490, 790), MUSTARD_DARK)
    for y in (716, 740, 764):  # three narrow cream stripes near the end
        pen.polygon([(433, y), (492, y - 1), (492, y + 10), (434, y + 11)], fill=CREAM)
    for i in range(8):  # short cream tassels
        x = 440 + i * 7.5
        pen.line([(x, 802), (x + 1, 830)], CREAM, 3)


def draw_bear() -> Image.Image:
    pen = Pen((768, 1024))
    pen.soft_shadow((200, 940, 568, 1000), (214, 208, 200), 10)
    bear_body(pen)
    bear_head(pen)
    bear_scarf(pen)
    return pen.finish()


# -- Fennel Fox -----------------------------------------------------------------------------------

RUSSET = (196, 92, 40)
RUSSET_DARK = (140, 60, 26)
WHITE_FUR = (246, 242, 232)
BLACK_FUR = (40, 32, 30)
MOSS = (110, 127, 69)
MOSS_DARK = (78, 92, 46)
WOOD = (214, 186, 140)
WHEAT = (214, 176, 92)


def bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 60) -> list[Point]:
    """Points along a cubic Bezier curve."""
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        out.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]))
    return out


def fox_tail(pen: Pen) -> None:
    """The brush curls up behind her on her left (the viewer's right), its white tip uppermost."""
    spine = bezier((400, 800), (560, 860), (660, 740), (600, 540))
    radius = [20 + 40 * math.sin(math.pi * (0.1 + 0.75 * i / len(spine))) for i in range(len(spine))]
    for (x, y), r in zip(spine, radius, strict=True):
        pen.circle(x, y, r + 2.5, fill=RUSSET_DARK)
    for i, ((x, y), r) in enumerate(zip(spine, radius, strict=True)):
        pen.circle(x, y, r, fill=WHITE_FUR if i > len(spine) * 0.82 else RUSSET)


def fox_body(pen: Pen) -> None:
    for cx in (350, 418):  # slim legs in black stockings
        limb(pen, [(cx, 760), (cx, 830)], 34, RUSSET, RUSSET_DARK)
        limb(pen, [(cx, 850), (cx, 945)], 32, BLACK_FUR, BLACK_FUR)
        pen.ellipse((cx - 26, 935, cx + 26, 965), fill=BLACK_FUR)
    pen.polygon(oval(384, 640, 86, 180, taper=-0.1), fill=RUSSET, outline=RUSSET_DARK, width=2)
    arm: list[Point] = [(318, 500), (276, 586), (266, 650)]
    for side in (arm, mirror(arm, 384)):  # arms at her sides, black from the wrist down
        limb(pen, side, 26, RUSSET, RUSSET_DARK)
        limb(pen, [side[2], (side[2][0] - 2 if side is arm else side[2][0] + 2, 716)], 24, BLACK_FUR, BLACK_FUR)
    pen.polygon(oval(384, 500, 56, 70), fill=WHITE_FUR)  # white throat and chest


def fox_waistcoat(pen: Pen) -> None:
    half = [(384, 600), (340, 496), (306, 500), (298, 600), (304, 720), (384, 744)]
    for side in (half, mirror(half, 384)):
        pen.polygon(side, fill=MOSS, outline=MOSS_DARK, width=2)
        xs = sorted(x for x, _ in side)
        x = xs[0] + 6
        while x < xs[-1] - 4:  # corduroy wales
            pen.line([(x, 520 if abs(x - 384) > 40 else 600), (x, 722)], MOSS_DARK, 1.2)
            x += 7
    for y in (626, 666, 706):  # three round, pale wooden buttons, always fastened
        pen.circle(384, y, 8, fill=WOOD, outline=(150, 118, 76), width=1.5)
        pen.circle(382, y - 1, 1.4, fill=(150, 118, 76))
        pen.circle(387, y + 1, 1.4, fill=(150, 118, 76))
    pen.rect((408, 628, 446, 636), fill=MOSS_DARK)  # welt pocket on her left, a sprig of wheat in it
    pen.line([(422, 630), (432, 580)], WHEAT, 2.5)
    for i in range(5):
        y = 584 + i * 8
        pen.ellipse((424 + i * 1.5, y, 434 + i * 1.5, y + 9), fill=WHEAT, outline=(176, 138, 60), width=1)


def lerp(a: Point, b: Point, f: float) -> Point:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def fox_ears(pen: Pen) -> None:
    """Large pointed ears, black-tipped, white inside; a small notch in her left ear's outer edge."""
    left = ((286, 292), (302, 142), (366, 236))  # outer base, tip, inner base
    for base_out, tip, base_in in (left, tuple(mirror(left, 384))):
        pen.polygon([base_out, tip, base_in], fill=BLACK_FUR)
        pen.polygon([base_out, lerp(tip, base_out, 0.3), lerp(tip, base_in, 0.3), base_in],
                    fill=RUSSET, outline=RUSSET_DARK, width=2)
        inner = [lerp(lerp(base_out, base_in, 0.5), tip, 0.62), lerp(lerp(base_out, base_in, 0.18), tip, 0.08),
                 lerp(lerp(base_out, base_in, 0.82), tip, 0.08)]
        pen.polygon(inner, fill=WHITE_FUR)
    edge = mirror(left, 384)
    notch = [lerp(edge[1], edge[0], 0.48), lerp(edge[1], edge[0], 0.58)]
    pen.polygon([notch[0], notch[1], (notch[0][0] - 12, (notch[0][1] + notch[1][1]) / 2)], fill=BACKGROUND)


def fox_head(pen: Pen) -> None:
    fox_ears(pen)
    pen.polygon(oval(384, 318, 116, 124, taper=0.78), fill=RUSSET, outline=RUSSET_DARK, width=2)
    mask = [(x, y) for x, y in oval(384, 318, 113, 121, taper=0.78) if y > 322]
    pen.polygon([(270, 322), *mask, (498, 322)], fill=WHITE_FUR)  # white cheeks and lower muzzle
    pen.polygon([(356, 290), (412, 290), (394, 408), (374, 408)], fill=RUSSET)  # russet bridge of the nose
    pen.ellipse((366, 404, 402, 428), fill=BLACK_FUR)
    pen.circle(376, 410, 3.5, fill=(120, 110, 106))
    pen.arc((366, 418, 402, 446), 40, 140, BLACK_FUR, 2.5)  # small closed-mouth smile
    for cx, side in ((336, -1), (432, 1)):  # amber almond eyes, tilted slightly up at the outer corner
        eye = [(cx - 22 * side, 318), (cx - 6 * side, 302), (cx + 12 * side, 300), (cx + 24 * side, 306),
               (cx + 10 * side, 324), (cx - 8 * side, 328)]
        pen.polygon(eye, fill=(226, 164, 46), outline=BLACK_FUR, width=2.5)
        pen.circle(cx, 313, 7, fill=BLACK_FUR)
        pen.circle(cx - 3, 310, 2.5, fill=(255, 255, 255))


def draw_fox() -> Image.Image:
    pen = Pen((768, 1024))
    pen.soft_shadow((250, 945, 600, 995), (214, 208, 200), 10)
    fox_tail(pen)
    fox_body(pen)
    fox_waistcoat(pen)
    fox_head(pen)
    return pen.finish()


# -- Olwen Owl ------------------------------------------------------------------------------------

TAWNY = (150, 104, 62)
TAWNY_DARK = (92, 62, 38)
OATMEAL = (230, 214, 184)
OWL_CREAM = (240, 228, 204)
DUCK_EGG = (169, 200, 192)
DUCK_EGG_DARK = (120, 156, 148)
GOLD_WIRE = (196, 160, 72)


def owl_body(pen: Pen, rng: random.Random) -> None:
    for cx in (344, 424):  # short feathered feet, toes tucked under (no talons showing)
        pen.ellipse((cx - 34, 868, cx + 34, 918), fill=OWL_CREAM, outline=TAWNY_DARK, width=2)
        for dx in (-16, 0, 16):
            pen.arc((cx + dx - 9, 890, cx + dx + 9, 918), 200, 340, TAWNY_DARK, 2)
    body = oval(384, 560, 190, 340, taper=-0.12, steps=144)
    pen.polygon(body, fill=TAWNY, outline=TAWNY_DARK, width=2.5)
    for side in (-1, 1):  # folded wings following the body's curve, with cream bars
        outer = sorted(((x, y) for x, y in body if side * (x - 384) > 96 and 470 < y < 860), key=lambda p: p[1])
        inner = bezier(outer[-1], (384 + side * 96, 800), (384 + side * 92, 560), outer[0], 30)
        pen.polygon([*outer, *inner], fill=TAWNY_DARK)
        for i in range(6):
            bar = 560 + i * 46
            pen.line([(384 + side * 112, bar), (384 + side * 168, bar + 12)], OWL_CREAM, 4)
    pen.polygon(oval(384, 720, 92, 150), fill=OWL_CREAM)  # paler breast with fine vertical streaks
    for _ in range(46):
        x, y = rng.uniform(312, 456), rng.uniform(600, 850)
        if ((x - 384) / 86) ** 2 + ((y - 720) / 140) ** 2 < 1:
            pen.line([(x, y), (x, y + rng.uniform(10, 18))], TAWNY_DARK, 2.2)
    for _ in range(70):  # cream mottling on the head and shoulders
        x, y = rng.uniform(214, 554), rng.uniform(230, 520)
        if ((x - 384) / 180) ** 2 + ((y - 560) / 330) ** 2 < 0.95:
            pen.ellipse((x - 5, y - 3, x + 5, y + 3), fill=OWL_CREAM)


def owl_face(pen: Pen) -> None:
    pen.polygon(oval(384, 380, 140, 124), fill=OATMEAL, outline=TAWNY_DARK, width=6)
    pen.line([(384, 262), (384, 410)], (206, 186, 150), 4)  # the disc's soft central parting
    for cx in (330, 438):
        pen.arc((cx - 52, 300, cx + 52, 380), 200, 340, TAWNY_DARK, 7)  # feathered brows
        pen.circle(cx, 372, 40, fill=(46, 28, 20))
        pen.circle(cx, 372, 32, fill=(34, 20, 14))
        pen.circle(cx - 12, 358, 8, fill=(255, 255, 255))
        pen.circle(cx, 372, 50, outline=GOLD_WIRE, width=5)  # round wire spectacles
    pen.arc((364, 350, 404, 386), 200, 340, GOLD_WIRE, 5)  # the bridge
    for x0, x1 in ((280, 252), (488, 516)):
        pen.line([(x0, 368), (x1, 356)], GOLD_WIRE, 4)
    pen.polygon([(372, 410), (396, 410), (388, 446), (384, 452), (380, 446)], fill=(216, 204, 170),
                outline=(150, 134, 100), width=1.5)  # small hooked horn-coloured beak
    for i in range(3):  # the lopsided tuft on her left (viewer's right)
        pen.line(bezier((418 + i * 12, 242), (420 + i * 14, 220), (436 + i * 16, 206), (446 + i * 18, 210 + i * 4), 16),
                 TAWNY_DARK, 6 - i)


def owl_shawl(pen: Pen) -> None:
    """A triangular knitted shawl over the shoulders, knotted at the front below the facial disc."""
    for side in (-1, 1):
        band = [(384 + side * 186, 500), (384 + side * 150, 470), (384 + side * 14, 524),
                (384 + side * 14, 560), (384 + side * 120, 560), (384 + side * 184, 566)]
        pen.polygon(band, fill=DUCK_EGG, outline=DUCK_EGG_DARK, width=2)
        for i in range(7):
            x = 384 + side * (40 + i * 20)
            pen.line([(x - 4, 520 + i * 2), (x, 528 + i * 2), (x + 4, 520 + i * 2)], DUCK_EGG_DARK, 1.6)
        tail = [(384 + side * 6, 548), (384 + side * 34, 548), (384 + side * 46, 640), (384 + side * 20, 644)]
        pen.polygon(tail, fill=DUCK_EGG, outline=DUCK_EGG_DARK, width=2)
    pen.ellipse((360, 520, 408, 566), fill=DUCK_EGG, outline=DUCK_EGG_DARK, width=2.5)  # the knot


def draw_owl() -> Image.Image:
    pen, rng = Pen((768, 1024)), random.Random(11)
    pen.soft_shadow((250, 895, 518, 945), (214, 208, 200), 10)
    owl_body(pen, rng)
    owl_shawl(pen)
    owl_face(pen)
    return pen.finish()


# -- Aurelle No. 7 --------------------------------------------------------------------------------

CM = 52  # output pixels per centimetre: the flacon is drawn to its bible's dimensions
GLASS = (222, 224, 220)
GLASS_EDGE = (150, 156, 152)
PERFUME = (228, 200, 138)
PERFUME_DEEP = (206, 170, 100)
LABEL = (246, 240, 226)
GOLD_FOIL = (184, 137, 59)


def bottle_glass(pen: Pen, x0: float, top: float, x1: float, bottom: float) -> None:
    """Clear glass body: the liquid to 1.5 cm below the shoulder, and a thick refracting base."""
    pen.rect((x0, top, x1, bottom), fill=GLASS, outline=GLASS_EDGE, width=3)
    wall, base = 0.35 * CM, 1.5 * CM
    liquid_top = top + 1.5 * CM
    pen.rect((x0 + wall, liquid_top, x1 - wall, bottom - base), fill=PERFUME)
    for i in range(8):  # the liquid deepens toward the shadowed right-hand side
        band = (x1 - wall - 90 + i * 11, liquid_top, x1 - wall, bottom - base)
        pen.glaze(partial(Pen.rect, box=band, fill=PERFUME_DEEP), 0.12)
    pen.line([(x0 + wall, liquid_top), (x1 - wall, liquid_top)], PERFUME_DEEP, 2)  # the level liquid line
    pen.rect((x0 + 4, bottom - base, x1 - 4, bottom - 4), fill=(208, 214, 208))  # thick glass base
    for i in range(5):  # refraction in the base
        y = bottom - base + 12 + i * 13
        pen.line([(x0 + 20, y), (x1 - 20, y + 3)], (236, 240, 236) if i % 2 else (188, 196, 190), 2)
    bevel = 3 / 10 * CM  # softly bevelled 3 mm vertical edges
    for x, colour in ((x0 + bevel, (250, 252, 250)), (x1 - bevel, (176, 182, 178))):
        pen.line([(x, top + 2), (x, bottom - 2)], colour, 3)
    pen.glaze(lambda p: p.rect((x0 + 22, top + 10, x0 + 40, bottom - base - 10), fill=(255, 255, 255)), 0.55)


def bottle_label(pen: Pen, cx: float, shoulder: float) -> None:
    """Wordless ivory label, 4 x 2.5 cm, top edge 3 cm below the shoulder, gold sun mark at its centre."""
    w, h, top = 4 * CM, 2.5 * CM, shoulder + 3 * CM
    pen.rect((cx - w / 2, top, cx + w / 2, top + h), fill=LABEL, outline=(206, 196, 172), width=1.5)
    cy = top + h / 2
    pen.circle(cx, cy, 15, fill=GOLD_FOIL)
    for i in range(12):
        a = 2 * math.pi * i / 12
        pen.line([(cx + 21 * math.cos(a), cy + 21 * math.sin(a)), (cx + 33 * math.cos(a), cy + 33 * math.sin(a))],
                 GOLD_FOIL, 3.5)


def bottle_cap(pen: Pen, cx: float, shoulder: float) -> None:
    """Brushed-brass cylinder cap, 4 x 2.4 cm, on a short brass collar; an engraved ring 5 mm up."""
    collar = (cx - 1.3 * CM, shoulder - 0.5 * CM, cx + 1.3 * CM, shoulder)
    pen.rect(collar, fill=(164, 126, 58), outline=BRASS_DARK, width=2)
    w, h = 2.4 * CM, 4 * CM
    x0, bottom = cx - w / 2, collar[1]
    for i in range(int(w)):  # cylinder shading: bright left of centre, darker toward the edges
        t = i / w
        shade = 0.72 + 0.4 * math.sin(math.pi * (t * 0.9 + 0.05)) - 0.18 * t
        colour = (min(255, round(186 * shade)), min(255, round(146 * shade)), min(255, round(70 * shade)))
        pen.line([(x0 + i, bottom - h), (x0 + i, bottom)], colour, 1.2)
    for j in range(0, int(h), 5):  # fine horizontal brushing
        pen.line([(x0 + 2, bottom - h + j), (x0 + w - 2, bottom - h + j)], (196, 162, 96), 0.6)
    ring = bottom - 0.5 * CM
    pen.line([(x0, ring), (x0 + w, ring)], BRASS_DARK, 2.5)
    pen.line([(x0, ring + 2.5), (x0 + w, ring + 2.5)], BRASS_LIGHT, 1.2)
    pen.rect((x0, bottom - h, x0 + w, bottom), outline=BRASS_DARK, width=2)


def draw_perfume_bottle() -> Image.Image:
    pen = Pen((1024, 1024))
    cx, bottom = 512, 910
    shoulder = bottom - 11 * CM
    pen.soft_shadow((cx - 230, bottom - 20, cx + 230, bottom + 30), (206, 200, 192), 14)
    bottle_glass(pen, cx - 3.5 * CM, shoulder, cx + 3.5 * CM, bottom)
    bottle_label(pen, cx, shoulder)
    bottle_cap(pen, cx, shoulder)
    return pen.finish()


# -- output ---------------------------------------------------------------------------------------

FRAMES: dict[str, Callable[[], Image.Image]] = {
    "bibles/characters/frames/red-curls.png": draw_isla,
    "bibles/characters/frames/bear.png": draw_bear,
    "bibles/characters/frames/fox.png": draw_fox,
    "bibles/characters/frames/owl.png": draw_owl,
    "bibles/products/frames/perfume-bottle.png": draw_perfume_bottle,
}
"""Each frame's path (relative to the repository root) and the function that draws it."""


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a reader never sees half a PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temp, 0o644)  # mkstemp creates 0600; frames are ordinary repository files
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk; write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="library root (default: this repository)")
    args = parser.parse_args(argv)
    stale = []
    for relative, draw in FRAMES.items():
        path, data = args.root / relative, png_bytes(draw())
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(relative)
            continue
        write_atomic(path, data)
        print(f"wrote {relative} ({len(data) // 1024} KB)")
    if stale:
        print(f"out of date: {', '.join(stale)} (run tools/draw_reference_frames.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
