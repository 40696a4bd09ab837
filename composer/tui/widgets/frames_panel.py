"""The cast's reference frames: file, pixel size, file size and a half-block colour preview.

Decoding images can take a while for large photos, so descriptions are made in a thread worker
and the panel fills in when they are ready; the rest of the interface keeps responding.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.widgets import Static

from composer.tui.frame_preview import FrameInfo, describe_frame


def _relative(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root.resolve()):
        return str(path.relative_to(root.resolve()))
    return str(path)


class FramesPanel(VerticalScroll):
    """``show(paths)`` lists the frames; an unchanged list is not described again unless forced."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Static(Text("No reference frames: pick a cast member that has some.", style="dim"),
                                id="frames-text"), id=id)
        self._paths: tuple[Path, ...] | None = None
        self._root: Path | None = None

    def show(self, paths: list[Path], root: Path | None = None, *, force: bool = False) -> None:
        """List ``paths``; ``force`` describes them again even if the list is unchanged (a frame was edited)."""
        if tuple(paths) == self._paths and not force:
            return
        self._paths, self._root = tuple(paths), root
        if not paths:
            self._fill((), [])
            return
        self._describe(tuple(paths))

    @work(thread=True, exclusive=True, group="frames")
    def _describe(self, paths: tuple[Path, ...]) -> None:
        infos = [describe_frame(p) for p in paths]
        self.app.call_from_thread(self._fill, paths, infos)

    def _fill(self, paths: tuple[Path, ...], infos: list[FrameInfo]) -> None:
        if paths != self._paths:
            return  # a slower, superseded description finished late
        static = self.query_one("#frames-text", Static)
        if not infos:
            static.update(Text("No reference frames: pick a cast member that has some.", style="dim"))
            return
        text = Text()
        for number, info in enumerate(infos):
            if number:
                text.append("\n\n")
            text.append(_relative(info.path, self._root), "bold")
            text.append(f"\n{info.size_label()}")
            if info.preview is not None:
                text.append("\n")
                text.append_text(info.preview)
            elif info.problem:
                text.append(f"\n{info.problem}", "italic")
        static.update(text)
