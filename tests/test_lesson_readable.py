"""Readable at 80 columns: a 28x28 tensor as an aligned grid, code lines hung under themselves."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import torch
from rich.console import Console, Group
from rich.text import Text

from core.lesson import lecture
from core.lesson.first_look import ink_rows
from core.render import tenths_matrix
from tui.widgets.lesson.code import HANG, HangingCode, cut_at, hanging_lines
from tui.widgets.lesson.values import laid_out, values_table

WIDTH = 80
GRID_ROW = re.compile(r"[·\d]( [·\d]){27}")  # 28 cells, one character each
VALUE_COLUMN = 63  # the values' column at 80x24: 76 columns of box, less border, padding, label


def rendered(renderable, width: int) -> list[str]:
    """The renderable's lines as a terminal `width` columns wide shows them."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get().rstrip("\n").split("\n")


def an_image() -> np.ndarray:
    """A 28x28 image with a stroke: zeros, faint ink, full ink."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5:23, 10:18] = np.arange(8, dtype=np.uint8) * 36 + 3
    return image


def printed(image: np.ndarray) -> str:
    """What `print(torch.tensor(image)); print(image.shape)` writes, as a step's value."""
    tensor = torch.tensor(image)
    return f"{tensor}\n{tensor.shape}"


def test_tenths_matrix_is_28_lines_of_55_columns_with_zeros_as_dots():
    lines = tenths_matrix(an_image()).plain.split("\n")
    assert len(lines) == 28 and {len(line) for line in lines} == {55}
    assert lines[0] == " ".join("·" * 28)
    # 3 is faint ink (reads 0, not ·); 255 reads 9: value * 10 // 256.
    assert lines[5].split()[10:18] == ["0", "1", "2", "4", "5", "7", "8", "9"]


def test_a_printed_28x28_tensor_is_a_grid_within_the_values_column():
    """torch wraps each row over several lines; laid out, it is 28 lines, none wider than 80."""
    value = printed(an_image())
    assert max(len(line) for line in value.split("\n")) > WIDTH or len(value.split("\n")) > 28
    lines = rendered(Group(*laid_out(value)), VALUE_COLUMN)
    grid = [line for line in lines if GRID_ROW.fullmatch(line.rstrip())]
    assert len(grid) == 28 and all(len(line.rstrip()) <= VALUE_COLUMN for line in lines)
    assert lines[-1].strip() == "torch.Size([28, 28])"


def test_the_grid_keeps_each_pixel_where_it_is():
    """Row r, column c of the grid is pixel (r, c): the strokes line up as in the image."""
    image = an_image()
    lines = rendered(Group(*laid_out(printed(image))), WIDTH)
    grid = [line.split() for line in lines if GRID_ROW.fullmatch(line.rstrip())]
    assert [[cell != "·" for cell in row] for row in grid] == (image > 0).tolist()


def test_the_lectures_image_is_shown_as_its_inked_rows_with_every_number():
    """The export lost zeros unevenly, so no grid is made up: every inked number, in order."""
    lines = rendered(Group(*laid_out(lecture.IMAGE_10)), VALUE_COLUMN)
    runs = [line for line in lines if re.fullmatch(r"[\d ]+", line.strip())]
    assert len(runs) == 20 and all(len(line.rstrip()) <= VALUE_COLUMN for line in lines)
    shown = [[int(n) for n in line.split() if int(n)] for line in runs]
    assert shown == ink_rows(lecture.IMAGE_10)


def test_the_tick_follows_the_last_line_of_a_laid_out_value():
    from core.lesson import Outcome

    value = printed(an_image())
    table = values_table(None, Outcome(value, True), "mnist")
    assert any(line.rstrip().endswith("torch.Size([28, 28])  ✓") for line in rendered(table, 76))


@pytest.mark.parametrize(
    "value",
    [
        "tensor([5, 0, 4, ..., 5, 6, 8])",
        str(torch.arange(24).reshape(2, 3, 4)),  # 3-D: brackets within brackets
        str(torch.zeros(28, 28, dtype=torch.uint8)[:3]),  # three rows are not an image
        # floats: not pixels (seeded: test ids must be the same in every xdist worker)
        str(torch.rand(28, 28, generator=torch.Generator().manual_seed(0))),
    ],
    ids=["summarised", "rank-3", "three-rows", "floats"],
)
def test_other_values_are_left_as_printed(value):
    assert [text.plain for text in laid_out(value)] == [value]


CODE = """\
import torch

for batch in range(3):
    print(f"untrained loss {criterion(logits, y).item():.3f} (chance: ln 10 = {math.log(10):.3f})")
"""


def test_long_code_lines_continue_indented_under_themselves():
    lines = rendered(HangingCode(CODE), 50)
    assert lines[:3] == ["import torch", "", "for batch in range(3):"]
    continued = lines[4:]
    assert continued, "the long line was not wrapped"
    assert all(len(line) <= 50 for line in lines)
    assert all(line.startswith(" " * (4 + HANG - 2) + "↪ ") for line in continued)


def test_hanging_keeps_every_character_and_cuts_between_words():
    line = Text(CODE.splitlines()[3])
    pieces = [piece.plain for piece in hanging_lines(line, 50)]
    rest = [piece.split("↪ ", 1)[1] for piece in pieces[1:]]
    assert "".join([pieces[0], *rest]).replace(" ", "") == line.plain.replace(" ", "")
    assert not any(piece[:1].isspace() for piece in rest)


def test_cuts_fall_before_an_attribute_never_inside_a_number():
    assert cut_at("x = a.flatten(1).float()", 0, 20) == len("x = a.flatten(1)")
    assert cut_at("chance = 10.100", 0, 13) == len("chance = ")


def test_a_line_that_fits_is_left_alone():
    assert rendered(HangingCode("x = 1\nprint(x)"), 50) == ["x = 1", "print(x)"]


def test_a_28x28_of_numbers_that_are_no_grey_levels_is_left_as_printed():
    import numpy as np

    from tui.widgets.lesson.values import laid_out

    value = str(torch.tensor(np.arange(28 * 28).reshape(28, 28) - 300))  # -300 … 483
    assert [part.plain for part in laid_out(value)] == [value]


def test_a_reworded_lecture_output_says_so_beside_it():
    from core.lesson import lecture
    from tui.widgets.lesson.values import values_table

    said = "\n".join(rendered(values_table(lecture.SUMMARY, None, "mnist"), 76))
    assert "in our words" in said
    quoted = "\n".join(rendered(values_table(lecture.TEST_ACCURACY, None, "mnist"), 76))
    assert "in our words" not in quoted
