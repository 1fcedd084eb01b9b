"""core.render: known pixels give known characters, in every mode and palette."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console

from core.render import (
    ASCII_RAMP,
    ascii_art,
    braille,
    downsample,
    drawn_size,
    fit_scale,
    halfblocks,
    image_stats,
    pixel_matrix,
    render,
    render_square,
    scaled,
)
from tests.datasets import mnist_dir
from tui.cli import main


def blank(value: int = 0, shape=(28, 28)) -> np.ndarray:
    return np.full(shape, value, dtype=np.uint8)


def test_ascii_ramp_maps_black_to_space_and_white_to_densest():
    image = blank()
    image[0, 0] = 255
    rows = ascii_art(image).split("\n")
    assert len(rows) == 28 and all(len(r) == 28 for r in rows)
    assert rows[0][0] == ASCII_RAMP[-1] and rows[0][1] == " "


def test_binary_palette_inverts_the_ascii_ramp():
    image = blank()
    image[3, 4] = 255
    rows = ascii_art(image, palette="binary").split("\n")
    assert rows[3][4] == " " and rows[0][0] == ASCII_RAMP[-1]


def test_halfblocks_are_28_by_14_with_top_and_bottom_greys():
    image = blank()
    image[0, 0], image[1, 0] = 255, 128
    text = halfblocks(image)
    lines = text.plain.split("\n")
    assert len(lines) == 14 and all(len(line) == 28 for line in lines)
    style = text.get_style_at_offset(Console(), 0)
    assert style.color.triplet.hex == "#ffffff"
    assert style.bgcolor.triplet.hex == "#808080"


def test_halfblocks_without_colour_threshold_each_half():
    image = blank()
    image[0, 0] = 255  # top only
    image[1, 1] = 255  # bottom only
    image[0:2, 2] = 255  # both
    assert halfblocks(image, color=False).plain.split("\n")[0][:4] == "▀▄█ "


def test_braille_sets_the_dot_of_a_lit_pixel():
    image = blank()
    image[0, 0] = 255
    rows = braille(image).split("\n")
    assert len(rows) == 7 and all(len(r) == 14 for r in rows)
    assert rows[0][0] == "⠁" and rows[0][1] == "⠀"
    image[3, 1] = 255
    assert braille(image).split("\n")[0][0] == chr(0x2800 | 0x01 | 0x80)


def test_pixel_matrix_prints_values_aligned_and_dims_zeros():
    image = blank()
    image[4, 11:14] = [42, 118, 219]
    text = pixel_matrix(image)
    rows = text.plain.split("\n")
    assert rows[4].split()[11:14] == ["42", "118", "219"]
    assert all(len(r) == 28 * 4 - 1 for r in rows)
    zero_style = text.get_style_at_offset(Console(), 0)
    assert zero_style.dim


def test_modes_differ_and_odd_sizes_render():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
    drawn = {mode: str(render(image, mode)) for mode in ("halfblock", "ascii", "braille", "matrix")}
    assert len(set(drawn.values())) == 4
    crop = image[7:-6, 7:-8]  # 15x13
    assert len(halfblocks(crop).plain.split("\n")) == 8
    assert len(braille(crop).split("\n")[0]) == 7


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="expected a 2-D image, got shape"):
        ascii_art(np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match="unknown render mode"):
        render(blank(), "sixel")
    with pytest.raises(ValueError, match="unknown palette"):
        ascii_art(blank(), palette="viridis")


def test_downsample_and_stats():
    image = blank()
    image[0:2, 0:2] = 200
    assert downsample(image).shape == (14, 14) and downsample(image)[0, 0] == 200
    assert image_stats(image) == {"min": 0, "max": 200, "mean": 800 / 784, "nonzero": 4}


def show(capsys, **kwargs) -> tuple[int, str, str]:
    options = {"dataset": "mnist", "index": 0, "split": "train", "mode": "halfblock", **kwargs}
    argv = ["show"]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_prints_the_real_digit_10_as_plain_text_in_a_pipe(capsys):
    code, out, _ = show(capsys, index=10, data_dir=str(mnist_dir()), mode="matrix")
    assert code == 0
    assert out.startswith("mnist train[10]  label 3")
    assert "\x1b[" not in out
    assert "42 118 220 167 118 118   5" in out


def test_show_refuses_an_out_of_range_index(capsys):
    code, _, err = show(capsys, index=10**6, dataset="synthetic")
    assert code == 1
    assert err == (
        "mnist-tui: index 1000000 is out of range for synthetic train "
        "(0..5999, or -6000..-1 counting from the end)\n"
    )


def test_show_marks_synthetic_digits(capsys):
    code, out, _ = show(capsys, dataset="synthetic", mode="ascii")
    assert code == 0 and "[synthetic]" in out.splitlines()[0]


def test_ascii_with_two_rows_per_line_averages_pairs_and_keeps_14_lines():
    image = blank()
    image[0, 0], image[1, 0] = 255, 0  # averages to 127: the middle of the ramp
    image[2:4, 1] = 255
    rows = ascii_art(image, rows_per_line=2).split("\n")
    assert len(rows) == 14 and all(len(r) == 28 for r in rows)
    assert rows[0][0] == ASCII_RAMP[127 * len(ASCII_RAMP) // 256]
    assert rows[1][1] == ASCII_RAMP[-1]


def test_scale_1_changes_nothing_in_any_mode():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(28, 28), dtype=np.uint8)
    assert np.array_equal(scaled(image, 1), image)
    for mode in ("halfblock", "ascii", "braille"):
        assert str(render(image, mode, scale=1)) == str(render(image, mode))
        assert str(render_square(image, mode, scale=1)) == str(render_square(image, mode))
    assert render_square(image, "ascii") == ascii_art(image, rows_per_line=2)


def lines_of(drawn) -> list[str]:
    return str(drawn).split("\n")


@pytest.mark.parametrize(
    ("mode", "scale", "columns", "lines"),
    [
        ("halfblock", 2, 56, 28),
        ("ascii", 2, 56, 28),
        ("braille", 2, 28, 14),
        ("halfblock", 2.125, 60, 30),  # 28 * 2.125 = 59.5 pixels: 60
        ("braille", 4.25, 60, 30),
    ],
)
def test_a_scaled_render_has_the_expected_size(mode, scale, columns, lines):
    image = blank()
    image[10:18, 10:18] = 255
    drawn = lines_of(render_square(image, mode, scale=scale))
    assert (len(drawn[0]), len(drawn)) == (columns, lines)
    assert all(len(line) == columns for line in drawn)
    assert drawn_size(mode, (28, 28), scale) == (columns, lines)


def test_a_whole_scale_repeats_every_pixel():
    image = blank()
    image[3, 5] = 200
    big = scaled(image, 3)
    assert big.shape == (84, 84)
    assert (big[9:12, 15:18] == 200).all() and np.count_nonzero(big) == 9


def test_fit_scale_fills_the_room_and_never_goes_below_1():
    assert fit_scale("halfblock", 28, 14) == 1  # the digit's box at 80x24
    assert fit_scale("braille", 28, 14) == 2  # braille packs 2x4 pixels a cell
    assert fit_scale("halfblock", 78, 30) == 2.125  # beside the facts at 120x40
    assert fit_scale("ascii", 78, 30) == 2.125
    assert fit_scale("halfblock", 10, 5) == 1  # too small: scale 1, and the box scrolls
    for mode in ("halfblock", "ascii", "braille"):
        for columns, lines in ((40, 20), (61, 33), (200, 60)):
            scale = fit_scale(mode, columns, lines)
            width, height = drawn_size(mode, (28, 28), scale)
            assert width <= columns and height <= lines
            grown = drawn_size(mode, (28, 28), scale + 1 / 8)
            assert grown[0] > columns or grown[1] > lines  # the largest that fits


def test_bad_scales_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="scale must be above 0, got 0"):
        scaled(blank(), 0)
    with pytest.raises(ValueError, match="mode 'matrix' cannot be scaled"):
        fit_scale("matrix", 80, 24)


def test_max_pooling_keeps_a_thin_stroke_that_the_mean_loses_when_thresholded():
    image = blank()
    image[:, 5] = 255  # a one-pixel vertical stroke
    assert downsample(image)[0, 2] == 127  # below the no-colour threshold: gone
    assert downsample(image, pool="max")[0, 2] == 255
    assert "█" in halfblocks(downsample(image, pool="max"), color=False).plain
    with pytest.raises(ValueError, match="unknown pooling 'median'"):
        downsample(image, pool="median")
