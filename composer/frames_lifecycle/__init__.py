"""The lifecycle of a reference frame: promoted from a reviewed result, listed, traced to its shots.

==============  =============================================================================
module          what it does
==============  =============================================================================
errors          ``FrameLifecycleError``: every refusal, one line naming the thing refused
assets          which asset an id names (a kind given or guessed): the frames it holds
sources         where an image came from: a campaign ledger row, a generation record, the library
yaml_edit       appending a frame to an asset file, comments and layout kept (ruamel.yaml)
promote         ``compose frame promote``: copy the image into the library, append it, provenance
history         ``compose frame list|history``: each frame, its provenance, the shots that used it
results         ``--frame SHOT_ID``: a campaign shot's latest (approved, if any) image
==============  =============================================================================

It sits above ``composer.review`` (a result's verdict is part of its provenance) and below the
front ends, which only call it.
"""

from composer.frames_lifecycle.errors import FrameLifecycleError

__all__ = ["FrameLifecycleError"]
