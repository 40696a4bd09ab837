"""``compose init DIR``: a new team's library, which validates and composes as soon as it is written.

One of each asset (a brand kit, a character with a placeholder reference frame, a style, a scene),
``composer.yaml`` naming them as the defaults, a shot file, and a copy of the bundled templates to
edit. Every text says what to replace it with. Each file is written whole or not at all
(``composer.files``), and only into a new or empty folder: ``init`` never overwrites anything.
"""

from __future__ import annotations

import io
from pathlib import Path

from composer.errors import ExportError
from composer.export import make_folder, write_files
from composer.library import bundled_library

CONFIG = """\
# The library's settings: the defaults every shot starts from. See docs/library.md.
name: Our team's library
defaults: {brand: our-brand, style: house-style, target: gpt-image-2}
"""

BRAND = """\
# A brand kit: the rules every image of the brand keeps. Replace each value with your brand's own.
name: Our Brand
palette:
  - {name: Warm Ivory, hex: "#F4EDE1", role: background}
  - {name: Deep Navy, hex: "#1F2A44", role: primary}
  - {name: Soft Gold, hex: "#C9A227", role: accent}
typography:
  headline: a clean geometric sans serif in capitals, generously tracked
  body: a quiet humanist sans serif
logo:
  clear_space: an empty margin equal to the height of the logo on every side
  placement: [bottom right corner]
mood: Calm, warm and confident.
must_include:
  - soft, natural-looking light
do_not_include:
  - watermarks or stock-photo marks
"""

CHARACTER = """\
# A character bible: the person described once, rendered identically in every shot.
# Replace the placeholder frame (frames/lead.png) with a clean photo of the real person or model.
name: Alex
summary: A friendly person in their thirties with short dark hair and a navy overshirt.
identity:
  face: An oval face with warm brown eyes, straight dark brows and an easy, closed-mouth smile.
  hair: Short, dark brown hair, neatly cut and slightly tousled on top.
  build: Medium height and build, relaxed upright posture.
wardrobe:
  - a navy cotton overshirt over a plain ivory T-shirt
consistency:
  - The face, hair and overshirt stay the same in every shot.
do_not:
  - changed hair colour or length
reference_frames: [frames/lead.png]
"""

STYLE = """\
# A style dossier: how every image looks, whoever and wherever it shows.
name: House style
summary: Clean, natural editorial photography with soft light and calm compositions.
medium: digital photography with natural colour and fine detail
subject_matter: >-
  People and things photographed as they are, relaxed and unposed, in real places with a few
  chosen props.
composition: >-
  Calm framing with generous space around the subject, placed on a third; horizons level and
  verticals straight.
colour_handling: >-
  Natural, slightly warm colour with gentle highlights and soft shadows; saturation restrained.
lighting: >-
  Soft light from a real source, such as a window, falling from one side.
do_not:
  - over-processed or artificial-looking rendering
"""

SCENE = """\
# A scene: where the shot happens. Camera and lens are single clauses without a final full stop.
name: Bright studio
summary: A bright, airy photo studio with a plain ivory backdrop and one large window.
setting: >-
  A bright photo studio with a seamless ivory paper backdrop, a pale wooden floor and one tall
  window on the left.
lighting: Soft daylight from the tall window on the left, with a white reflector filling from the right.
camera: eye level, 2 metres from the subject, framed from the waist up
lens: 85 mm at f/4, the subject sharp and the backdrop softly out of focus
mood: Calm and welcoming.
props: [a simple wooden stool]
motion: A slow push-in towards the subject.
"""

SHOT = """\
# A shot file: compose shot --shot shots/first-shot.yaml (flags add to it and override it).
characters: [lead]
scene: studio
deltas:
  action: Alex sits on the wooden stool and looks towards the window.
  framing: medium shot, from the waist up
"""

FILES = {
    "composer.yaml": CONFIG,
    "brand_kits/our-brand.yaml": BRAND,
    "bibles/characters/lead.yaml": CHARACTER,
    "bibles/styles/house-style.yaml": STYLE,
    "bibles/scenes/studio.yaml": SCENE,
    "shots/first-shot.yaml": SHOT,
}
"""The skeleton's text files, by path inside the new library."""

PLACEHOLDER_FRAME = "bibles/characters/frames/lead.png"


def placeholder_png() -> bytes:
    """A plain grey 512x512 PNG: a valid frame until the team adds the real one."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def init_library(folder: Path) -> list[Path]:
    """Write the skeleton into ``folder`` (new or empty); return the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(f"{folder} is not an empty folder: compose init writes a new library only into a new "
                          "or empty folder, and nothing was written")
    templates = bundled_library() / "templates"
    texts = {folder / name: text for name, text in FILES.items()}
    texts |= {folder / "templates" / t.relative_to(templates): t.read_text(encoding="utf-8")
              for t in sorted(templates.rglob("*.j2"))}
    for path in [*texts, folder / PLACEHOLDER_FRAME]:
        make_folder(path.parent)
    write_files(texts)
    write_files({folder / PLACEHOLDER_FRAME: placeholder_png()})
    return [*texts, folder / PLACEHOLDER_FRAME]
