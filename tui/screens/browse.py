"""Screen 1: browse the dataset one digit at a time, from the keyboard."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Static

from core.data import DATASET_TITLES
from core.render import MODES, PALETTES, drawn_size, fit_scale, image_stats
from tui.host import app_host
from tui.screens.jump import JumpScreen
from tui.screens.label_filter import LabelFilterScreen
from tui.state import Dataset
from tui.widgets.digit_view import DigitView, ThumbnailStrip
from tui.widgets.footer import AppFooter

INFO_WIDTH = 40  # columns the facts beside the digit keep, however large the digit grows
DIGIT_PADDING = 2  # the digit box's padding, one column each side


def unofficial_rows(split) -> list[Text]:
    """The checksum note in two short lines, each within the facts' column at 80x24."""
    files = split.unofficial_files
    title = DATASET_TITLES.get(split.name, split.name)
    if len(files) == 1:
        said = [files[0], f"differs from the official {title} file"]
    else:
        said = [f"{len(files)} of its 4 files", f"differ from the official {title} files"]
    return [Text(line, style="yellow") for line in said]


class BrowseScreen(Screen):
    """The current sample large, its numbers and neighbours; every action on a key."""

    TITLE = "mnist-tui · Browse"

    BINDINGS = [
        # The footer shows one of each pair at 80 columns; `?` lists them all.
        Binding("right,l", "move(1)", "Next", key_display="→", id="next"),
        Binding("left,h", "move(-1)", "Prev", key_display="←", show=False, id="prev"),
        Binding("down,j", "move(10)", "+10", key_display="↓", id="plus10"),
        Binding("up,k", "move(-10)", "-10", key_display="↑", show=False, id="minus10"),
        Binding("g", "jump", "Go to", id="jump"),
        Binding("r", "random", "Random", id="random"),
        Binding("f", "filter", "Filter", id="filter"),
        Binding("t", "toggle_split", "Train/test", id="split"),
        Binding("m", "cycle_mode", "Mode", id="mode"),
        Binding("x", "toggle_matrix", "Matrix", id="matrix"),
        Binding("b", "toggle_palette", "Palette", id="palette"),
    ]

    split: reactive[str] = reactive("train")
    position: reactive[int] = reactive(0)  # position within `indices`, not the dataset index
    label_filter: reactive[int | None] = reactive(None)
    mode: reactive[str] = reactive("halfblock")
    palette: reactive[str] = reactive("dark")
    show_matrix: reactive[bool] = reactive(False)

    def __init__(self) -> None:
        super().__init__()
        self.indices = np.arange(0)
        self.rng = np.random.default_rng(0)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="browse-main"):
            # Not focusable: the arrow keys belong to navigation, not to scrolling.
            with ScrollableContainer(id="digit-box", can_focus=False):
                yield DigitView("Loading data…", id="digit")
            yield Static(id="sample-info")
        yield ThumbnailStrip(id="thumbnails")
        yield AppFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", self.dataset_changed)

    @property
    def dataset(self) -> Dataset | None:
        return app_host(self).dataset

    @property
    def index(self) -> int | None:
        """The dataset index of the sample on screen."""
        if not len(self.indices):
            return None
        return int(self.indices[self.position])

    def dataset_changed(self, dataset: Dataset | None) -> None:
        if dataset is not None:
            self.rebuild_indices(keep=self.index)
            self.refresh_view()

    def rebuild_indices(self, keep: int | None = None) -> None:
        """Indices of the samples the filter lets through; stay on `keep` if it still is one."""
        if self.dataset is None:
            return
        labels = self.dataset.split(self.split).labels
        if self.label_filter is None:
            self.indices = np.arange(len(labels))
        else:
            self.indices = np.flatnonzero(labels == self.label_filter)
        position = 0
        if keep is not None and len(self.indices):
            position = min(int(np.searchsorted(self.indices, keep)), len(self.indices) - 1)
        self.set_reactive(BrowseScreen.position, position)

    # Every reactive change redraws through one place.
    def watch_position(self) -> None:
        self.refresh_view()

    def watch_mode(self) -> None:
        self.refresh_view()

    def watch_palette(self) -> None:
        self.refresh_view()

    def watch_show_matrix(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if self.dataset is None or not self.is_mounted:
            return
        split = self.dataset.split(self.split)
        digit = self.query_one("#digit", DigitView)
        if self.index is None:
            digit.update(f"No {self.split} samples with label {self.label_filter}.")
            self.query_one("#sample-info", Static).update("")
            return
        image = split.images[self.index]
        scale = self.digit_scale(image.shape)
        digit.show(image, self.mode, self.palette, matrix=self.show_matrix, scale=scale)
        self.size_digit_box(image.shape, scale)
        self.query_one("#sample-info", Static).update(self.info_table(split, image))
        self.refresh_thumbnails(split)

    def digit_scale(self, shape: tuple[int, int]) -> float:
        """The largest scale at which the digit fits beside the facts, above the thumbnails."""
        main = self.query_one("#browse-main")
        columns = main.size.width - INFO_WIDTH - DIGIT_PADDING
        return fit_scale(self.mode, columns, main.size.height, shape)

    def size_digit_box(self, shape: tuple[int, int], scale: float) -> None:
        """The digit's column as wide as the digit; the matrix takes the whole row.

        The matrix is 111 columns wide: the facts step aside for it (the `matrix` class).
        """
        self.query_one("#browse-main").set_class(self.show_matrix, "matrix")
        box = self.query_one("#digit-box")
        if self.show_matrix:
            box.styles.width = "1fr"
        else:
            box.styles.width = drawn_size(self.mode, shape, scale)[0] + DIGIT_PADDING

    def info_table(self, split, image: np.ndarray) -> Table:
        stats = image_stats(image)
        label = int(split.labels[self.index])
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True, min_width=9)
        table.add_column(no_wrap=True, overflow="ellipsis")
        name = "synthetic (not MNIST)" if split.is_synthetic else split.name
        table.add_row("dataset", name)
        table.add_row("split", f"{split.split}  ({len(split):,} images)")
        table.add_row("index", f"[b]{self.index:,}[/b] of {len(split) - 1:,}")
        label_text = f"[b]{label}[/b]"
        if split.classes[label] != str(label):
            label_text += f"  {split.classes[label]}"
        table.add_row("label", label_text)
        shown = "all" if self.label_filter is None else f"label {self.label_filter}"
        table.add_row("filter", f"{shown}  ({self.position + 1:,}/{len(self.indices):,})")
        table.add_row("", "")
        table.add_row("min / max", f"{stats['min']} / {stats['max']}")
        table.add_row("mean", f"{stats['mean']:.1f}")
        table.add_row("non-zero", f"{stats['nonzero']} of {image.size} px")
        table.add_row("", "")
        view = "pixel matrix" if self.show_matrix else self.mode
        scale = self.query_one("#digit", DigitView).scale
        enlarged = f", enlarged {scale:g} times" if scale != 1 else ""
        table.add_row("view", f"{view}, {self.palette}{enlarged}")
        table.add_row("from", split.source)
        if split.unofficial_files:  # a folder the user named, unlike the official downloads
            files, verdict = unofficial_rows(split)
            table.add_row("md5", files)
            table.add_row("", verdict)
        return table

    def refresh_thumbnails(self, split) -> None:
        strip = self.query_one(ThumbnailStrip)
        count = min(strip.capacity(), len(self.indices))
        first = min(max(0, self.position - count // 2), len(self.indices) - count)
        shown = self.indices[first : first + count]
        captions = [f"{i}: {split.classes[int(split.labels[i])]}" for i in shown]
        strip.show([split.images[i] for i in shown], captions, self.position - first, self.palette)

    def on_resize(self) -> None:
        # After the layout: the scale is read from the new size of #browse-main.
        self.call_after_refresh(self.refresh_view)

    # Actions: each moves the state; the watchers redraw.
    def action_move(self, step: int) -> None:
        if len(self.indices):
            self.position = (self.position + step) % len(self.indices)

    def action_random(self) -> None:
        if len(self.indices):
            self.position = int(self.rng.integers(len(self.indices)))

    def action_toggle_split(self) -> None:
        self.split = "test" if self.split == "train" else "train"
        self.rebuild_indices(keep=self.index)
        self.refresh_view()

    def action_cycle_mode(self) -> None:
        self.show_matrix = False
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_toggle_matrix(self) -> None:
        self.show_matrix = not self.show_matrix

    def action_toggle_palette(self) -> None:
        self.palette = PALETTES[(PALETTES.index(self.palette) + 1) % len(PALETTES)]

    def action_jump(self) -> None:
        if self.dataset is None:
            return
        size = len(self.dataset.split(self.split))
        self.app.push_screen(JumpScreen(size), self.jump_to)

    def jump_to(self, index: int | None) -> None:
        if index is None or self.dataset is None:
            return
        labels = self.dataset.split(self.split).labels
        if self.label_filter is not None and labels[index] != self.label_filter:
            self.notify(f"Filter cleared: sample {index} is a {labels[index]}.")
            self.set_reactive(BrowseScreen.label_filter, None)
        self.rebuild_indices(keep=index)
        self.refresh_view()

    def action_filter(self) -> None:
        if self.dataset is not None:
            self.app.push_screen(LabelFilterScreen(self.dataset.train.classes), self.filter_by)

    def filter_by(self, label: int | None) -> None:
        if label == -1:  # cancelled: keep the filter as it is
            return
        self.label_filter = label
        self.rebuild_indices(keep=self.index)
        self.refresh_view()
