"""The inspector and slicing panel: an index expression, its result's facts, and the crop drawn."""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from core import tensorlab as lab
from core.render import halfblocks
from core.tensorlab.index_expr import apply_index
from tui.widgets.lab.input import HistoryInput
from tui.widgets.lab.lessons import LessonPanel

NAMES = ("train_images", "train_labels", "test_images", "test_labels")


def tensors_of(dataset) -> dict[str, np.ndarray]:
    return {
        "train_images": dataset.train.images,
        "train_labels": dataset.train.labels,
        "test_images": dataset.test.images,
        "test_labels": dataset.test.labels,
    }


def framed(image: np.ndarray, crop: lab.Crop) -> np.ndarray:
    """The cut's pixels alone, in a dashed frame just outside the rows and columns it spans.

    For drawing without colour, where ink is on or off: the dimmed rest of the image that marks
    the cut in colour would fall below the threshold and take the cut's place with it.
    """
    keep = np.zeros(image.shape, dtype=bool)
    keep[np.ix_(crop.rows, crop.cols)] = True
    out = np.where(keep, image, 0).astype(np.uint8)
    height, width = image.shape
    top, bottom = min(crop.rows) - 1, max(crop.rows) + 1
    left, right = min(crop.cols) - 1, max(crop.cols) + 1
    dashes_across = dashes(max(0, left), min(width - 1, right))
    dashes_down = dashes(max(0, top), min(height - 1, bottom))
    for row in (top, bottom):
        if 0 <= row < height:
            out[row, dashes_across] = 255
    for col in (left, right):
        if 0 <= col < width:
            out[dashes_down, col] = 255
    return out


def dashes(first: int, last: int) -> np.ndarray:
    """Every other position from first to last, and last itself: a dashed line with both ends."""
    every_other = np.arange(first, last + 1)[::2]
    return every_other if every_other[-1] == last else np.append(every_other, last)


class SlicingPanel(LessonPanel):
    """Type `train_images[10:100]`; see the result's facts beside its source's, and the crop."""

    INTRO = f"NumPy indexing on {', '.join(NAMES)}: numbers, slices, steps, ... (↑/↓ examples)"
    PRESETS = [
        "train_images[10:100]",
        "train_images[10:100, :, :]",
        "train_images[10:100, 0:28, 0:28]",
        "train_images[:, 14:, 14:]",
        "train_images[:, 7:-7, 7:-7]",
        "train_images[4]",
        "train_images[-1, ::2, ::2]",
        "test_images[..., 4:24]",
        "train_labels",
        "train_labels[:10]",
        "train_images[60000]",
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.facts_cache: dict[
            str, lab.TensorFacts
        ] = {}  # whole tensors: min/max/mean take a while
        self.result_shape: tuple[int, ...] | None = None  # for tests: the last good result's shape

    def compose(self) -> ComposeResult:
        yield Static(self.INTRO, classes="lesson-intro")
        yield HistoryInput(self.PRESETS, classes="lesson-input", id="slice-input", compact=True)
        yield Static(classes="lesson-result", id="slice-result")
        yield Static(classes="lesson-extra", id="slice-images")

    def on_resize(self) -> None:
        self.show(self.query_one(HistoryInput).value)

    def dataset_changed(self) -> None:
        self.facts_cache.clear()
        super().dataset_changed()

    def show(self, text: str) -> None:
        super().show(text)
        if self.result_shape is None:
            self.query_one("#slice-images", Static).update("")

    def compute(self, text: str) -> RenderableType:
        self.result_shape = None
        if self.dataset is None:
            return Text("Loading data…")
        tensors = tensors_of(self.dataset)
        expression, result = apply_index(text, tensors)
        source = tensors[expression.name]
        if expression.name not in self.facts_cache:
            self.facts_cache[expression.name] = lab.inspect_tensor(source)
        whole = self.facts_cache[expression.name]
        part = lab.inspect_tensor(result)
        # Side by side where they fit (about 70 columns); at 80x24 the result alone, source below.
        both = self.size.width >= 74
        table = Table.grid(padding=(0, 2))
        heads = [*([expression.name] if both else []), expression.describe()]
        table.add_row(Text(f"{'tensor':<11}", style="dim"), *heads, style="bold")
        for (field, of_whole), (_, of_part) in zip(whole.rows(), part.rows(), strict=True):
            table.add_row(Text(f"{field:<11}", style="dim"), *([of_whole] if both else []), of_part)
        if not both:
            table.add_row("", "")
            table.add_row(Text("source", style="dim"), f"{expression.name}: {whole.rows()[1][1]}")
        self.draw_crop(expression, source)
        shares = "a view: shares memory with" if np.shares_memory(result, source) else "a copy of"
        summary = Text.assemble(
            (f"{expression.describe()}.shape = ", ""),
            (lab.torch_size(result.shape), "bold green"),
            (f"   ({shares} {expression.name})", "dim"),
        )
        parts: list[RenderableType] = [summary]
        if result.ndim <= 1:  # labels, a row of pixels: their values, as torch prints them
            values = Text(f"{expression.describe()} = ", style="dim")
            values.append(lab.tensor_text(result), style="")
            parts.append(values)
        self.result_shape = result.shape  # last: if anything above failed, the crop is cleared
        return Group(*parts, table)

    def draw_crop(self, expression, source: np.ndarray) -> None:
        images = self.query_one("#slice-images", Static)
        crop = (
            lab.crop_of(expression.key, source.shape)
            if expression.name.endswith("images")
            else None
        )
        if crop is None:
            images.update("")
            return
        image = np.asarray(source[crop.image_index])
        color = not self.app.no_color
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        cut = crop.cut(image)
        # Without colour the dimmed surroundings would vanish: a dashed frame marks the cut.
        marked = crop.mark(image) if color else framed(image, crop)
        how = "cut marked" if color else "cut framed"
        grid.add_row(
            Text(f"{expression.name}[{crop.image_index}], {how}", style="dim"),
            Text(f"the crop, {cut.shape[0]}x{cut.shape[1]}", style="dim"),
        )
        grid.add_row(halfblocks(marked, color=color), halfblocks(cut, color=color))
        images.update(grid)
