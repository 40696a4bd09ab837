"""The asset models: the YAML schema of a composer library, documented where it is defined.

Every model refuses unknown fields, so a misspelt key is an error, not a silently ignored rule.
The docstring under each field is its documentation (pydantic reads it as the field description).
One module per kind of file:

==========  ===========================================================================
base        ``Asset`` (strict, immutable), file-safe names, reference frames and their roles
brand       brand kits (``BrandKit`` resolved, ``BrandKitFile`` as written), lint exceptions
bibles      characters, products (with key colours), styles, scenes
config      ``composer.yaml``: defaults, targets, video models
shot        a shot's deltas
rubric      review rubrics
==========  ===========================================================================
"""

from composer.models.base import (
    Asset,
    FileSafeName,
    FrameList,
    FrameProvenance,
    FrameRole,
    ReferenceFrame,
    check_roles,
    without_leading_no,
)
from composer.models.bibles import FRAME_ROLES, KIND_NAMES, Character, Identity, KeyColour, Product, Scene, Style
from composer.models.brand import (
    BrandKit,
    BrandKitFile,
    LintException,
    LogoPatch,
    LogoRules,
    PaletteColour,
    Typography,
    TypographyPatch,
)
from composer.models.config import Defaults, LibraryConfig, MotionModel, Target
from composer.models.rubric import RESERVED_COLUMNS, Anchor, Dimension, Rubric
from composer.models.shot import ShotDeltas

__all__ = [
    "FRAME_ROLES",
    "KIND_NAMES",
    "RESERVED_COLUMNS",
    "Anchor",
    "Asset",
    "BrandKit",
    "BrandKitFile",
    "Character",
    "Defaults",
    "Dimension",
    "FileSafeName",
    "FrameList",
    "FrameProvenance",
    "FrameRole",
    "Identity",
    "KeyColour",
    "LibraryConfig",
    "LintException",
    "LogoPatch",
    "LogoRules",
    "MotionModel",
    "PaletteColour",
    "Product",
    "ReferenceFrame",
    "Rubric",
    "Scene",
    "ShotDeltas",
    "Style",
    "Target",
    "Typography",
    "TypographyPatch",
    "check_roles",
    "without_leading_no",
]
