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
    halfblocks,
    image_stats,
    pixel_matrix,
    render,
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
    assert err == "mnist-tui: index 1000000 is out of range for synthetic train (0-5999)\n"


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
