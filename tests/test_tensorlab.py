"""The tensor lab's core: the index parser (with properties), the inspector and every lesson."""

from __future__ import annotations

import contextlib
import math
import tracemalloc

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import tensorlab as lab
from core.model import SimpleNN
from core.tensorlab.index_expr import (
    IndexExpressionError,
    IndexingFailed,
    apply_index,
    parse_index,
    parse_shape,
    parse_shapes,
)

IMAGES = np.arange(5 * 28 * 28, dtype=np.uint32).reshape(5, 28, 28).astype(np.uint8)
TENSORS = {"train_images": IMAGES, "train_labels": np.arange(5, dtype=np.int64)}


# --- Parser: the notebook's expressions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train_images[1:4]", IMAGES[1:4]),
        ("train_images[1:4, :, :]", IMAGES[1:4, :, :]),
        ("train_images[1:4, 0:28, 0:28]", IMAGES[1:4, 0:28, 0:28]),
        ("train_images[:, 14:, 14:]", IMAGES[:, 14:, 14:]),
        ("train_images[:, 7:-7, 7:-7]", IMAGES[:, 7:-7, 7:-7]),
        ("train_images[4]", IMAGES[4]),
        ("train_images[-1, ::2]", IMAGES[-1, ::2]),
        ("train_images[..., 3]", IMAGES[..., 3]),
        ("train_images[::-1, 5]", IMAGES[::-1, 5]),
        ("train_labels", TENSORS["train_labels"]),
    ],
)
def test_notebook_slices_select_what_numpy_selects(text, expected):
    _, result = apply_index(text, TENSORS)
    np.testing.assert_array_equal(result, expected)
    assert result.shape == expected.shape


def test_slices_are_views_not_copies():
    _, result = apply_index("train_images[:, 7:-7, 7:-7]", TENSORS)
    assert np.shares_memory(result, IMAGES)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "train_images.T",
        "train_images[train_labels]",
        "train_images[1 + 2]",
        "train_images[None]",
        "train_images[True]",
        "train_images[1.5]",
        "train_images[[1, 2]]",
        "train_images[1][2]",
        "other[1]",
        "lambda: 1",
        "",
        "train_images[",
        "x" * 500,
    ],
)
def test_anything_outside_the_whitelist_is_refused(text):
    with pytest.raises(IndexExpressionError):
        parse_index(text, tuple(TENSORS))


def test_numpy_refusals_carry_numpys_message():
    with pytest.raises(IndexingFailed, match="index 5 is out of bounds for axis 0 with size 5"):
        apply_index("train_images[5]", TENSORS)
    with pytest.raises(IndexingFailed, match="too many indices for array"):
        apply_index("train_images[0, 0, 0, 0]", TENSORS)


def test_parse_shape_accepts_tuples_of_non_negative_ints_only():
    assert parse_shape("(64, 3, 32, 10)") == (64, 3, 32, 10)
    assert parse_shape("64, 784") == (64, 784)
    assert parse_shape("10") == (10,)
    assert parse_shape("()") == ()
    assert parse_shapes("(32, 10), (10,)", 2) == ((32, 10), (10,))
    for junk in ("(-1, 2)", "(2.0,)", "(a,)", "[2, 3]", "(2, 3) * 9"):
        with pytest.raises(IndexExpressionError):
            parse_shape(junk)
    with pytest.raises(IndexExpressionError):
        parse_shapes("(32, 10)", 2)


# --- Parser: properties -------------------------------------------------------------------------

SHAPE = (4, 5, 6)
ARRAY = np.arange(math.prod(SHAPE)).reshape(SHAPE)

bound = st.one_of(st.none(), st.integers(-8, 8))
slices = st.builds(
    slice, bound, bound, st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0))
)


def part_text(part) -> str:
    if part is Ellipsis:
        return "..."
    if isinstance(part, slice):
        text = ("" if part.start is None else str(part.start)) + ":"
        text += "" if part.stop is None else str(part.stop)
        return text + ("" if part.step is None else f":{part.step}")
    return str(part)


@st.composite
def keys(draw):
    parts = draw(
        st.lists(st.one_of(st.integers(-4, 3), slices, st.just(Ellipsis)), min_size=1, max_size=3)
    )
    if parts.count(Ellipsis) > 1:
        parts = [p for p in parts if p is not Ellipsis] + [Ellipsis]
    return tuple(parts)


@settings(max_examples=200, deadline=None)
@given(keys())
def test_random_valid_expressions_agree_with_numpy(key):
    text = f"a[{', '.join(part_text(p) for p in key)}]"
    expected = ARRAY[key]
    _, result = apply_index(text, {"a": ARRAY})
    np.testing.assert_array_equal(result, expected)


class Canary:
    """A tensor stand-in that records attribute access and calls; indexing is all it allows."""

    def __init__(self) -> None:
        object.__setattr__(self, "touched", [])

    def __getattr__(self, name):
        self.touched.append(name)
        raise AssertionError(f"attribute {name} was accessed")

    def __call__(self, *args, **kwargs):
        self.touched.append("call")
        raise AssertionError("called")

    def __getitem__(self, key):
        return ARRAY[key]


def only_index_errors(text: str) -> None:
    """Evaluate on a canary: either an IndexExpressionError or plain indexing, nothing else."""
    canary = Canary()
    with contextlib.suppress(IndexExpressionError):
        apply_index(text, {"a": canary})
    assert canary.touched == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_junk_never_executes_and_only_raises_the_documented_error(text):
    only_index_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="a[](){}:,.-+*_0123456789 !'\"lambdaimport\\", max_size=40))
def test_junk_made_of_python_characters_only_raises_index_errors(text):
    only_index_errors(text)


# --- Inspector ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "array",
    [IMAGES, IMAGES[:, 7:-7, 7:-7], IMAGES[1], IMAGES[:, ::2], np.arange(6, dtype=np.int64)],
    ids=["stack", "crop", "image", "step", "labels"],
)
def test_inspector_agrees_with_torch(array):
    facts = lab.inspect_tensor(array)
    tensor = torch.from_numpy(array)
    assert lab.torch_size(facts.shape) == str(tensor.shape)
    assert f"torch.{facts.dtype}" == str(tensor.dtype)
    assert facts.rank == tensor.ndim
    assert facts.elements == tensor.numel()
    assert facts.strides == tensor.stride()
    assert facts.contiguous == tensor.is_contiguous()
    assert facts.device == str(tensor.device) == "cpu"
    assert facts.minimum == tensor.min().item() and facts.maximum == tensor.max().item()
    assert facts.mean == pytest.approx(tensor.double().mean().item())
    assert lab.inspect_tensor(tensor) == facts


def test_inspector_rows_read_as_the_notebook_prints():
    rows = dict(lab.inspect_tensor(np.zeros((60, 28, 28), np.uint8)).rows())
    assert rows["shape"] == "torch.Size([60, 28, 28])"
    assert rows["dtype"].startswith("torch.uint8")
    assert rows["strides"] == "(784, 28, 1)"
    assert rows["contiguous"] == "True"
    assert lab.inspect_tensor(np.zeros((0, 3))).minimum is None


def test_format_bytes_counts_in_binary_units():
    assert lab.format_bytes(424_673_280) == "405 MB"
    assert lab.format_bytes(47_040_000) == "44.9 MB"
    assert lab.format_bytes(512) == "512 B"


# --- Crops --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        (slice(1, 4),),
        (slice(None), slice(7, -7), slice(7, -7)),
        (4,),
        (-1, slice(None, None, 2)),
        (Ellipsis, 3),
        (slice(None, None, -1), 5, slice(3, 9)),
    ],
)
def test_crop_cuts_what_the_slice_selects_from_the_first_image(key):
    numbers = np.arange(IMAGES.size).reshape(IMAGES.shape)  # each pixel's flat position
    selected = numbers[key].ravel()
    first = selected[selected // 784 == selected[0] // 784]
    crop = lab.crop_of(key, IMAGES.shape)
    assert crop.image_index == selected[0] // 784
    np.testing.assert_array_equal(crop.cut(numbers[crop.image_index]).ravel(), first)


def test_mark_dims_only_outside_the_crop():
    crop = lab.crop_of((0, slice(7, -7), slice(7, -7)), IMAGES.shape)
    image = np.full((28, 28), 200, np.uint8)
    marked = crop.mark(image)
    assert marked[14, 14] == 200 and marked[0, 0] == 60
    assert lab.crop_of((slice(3, 3),), IMAGES.shape) is None


# --- Lessons ------------------------------------------------------------------------------------


def test_rank_examples_have_ranks_zero_to_three():
    assert [a.ndim for _, a in lab.rank_examples()] == [0, 1, 2, 3]
    assert lab.rank_examples()[3][1].shape == (3, 3, 5)


def test_rank_examples_are_the_lectures_values_printed_as_it_prints_them():
    (_, scalar), (_, vector), (_, matrix), (_, cube) = lab.rank_examples()
    assert repr(scalar) == "array(12)"
    assert repr(vector) == "array([12,  3,  6, 14,  5])"
    assert repr(matrix) == (
        "array([[ 5, 78,  2, 34,  0],\n       [ 6, 79,  3, 35,  1],\n       [ 7, 80,  4, 36,  2]])"
    )
    assert [lab.shape_tuple(x.shape) for x in (scalar, vector, matrix, cube)] == [
        "()",
        "(5,)",
        "(3, 5)",
        "(3, 3, 5)",
    ]
    assert all(np.array_equal(layer, matrix) for layer in cube)
    assert all(np.issubdtype(x.dtype, np.integer) for x in (scalar, vector, matrix, cube))


def test_tensor_text_summarises_as_torch_prints_and_the_lecture_shows():
    labels = np.array([5, 0, 4] + [1] * 59_994 + [5, 6, 8], dtype=np.int64)
    assert lab.tensor_text(labels) == "tensor([5, 0, 4, ..., 5, 6, 8])"
    # torch itself pads the ellipsis with one more space; otherwise the same text
    assert repr(torch.from_numpy(labels)).replace("  ...", " ...") == lab.tensor_text(labels)
    for small in (np.arange(10), np.array(7), np.arange(6).reshape(2, 3)):
        assert lab.tensor_text(small) == repr(torch.from_numpy(small))
    assert lab.tensor_text(np.arange(3, dtype=np.uint8)) == "tensor([0, 1, 2], dtype=torch.uint8)"
    assert repr(torch.arange(3, dtype=torch.uint8)) == "tensor([0, 1, 2], dtype=torch.uint8)"


# --- The Dense layer: a batch through fc1 -------------------------------------------------------


def test_dense_trace_keeps_each_stages_shape_and_matches_the_layer():
    images = np.random.default_rng(0).integers(0, 256, size=(100, 28, 28), dtype=np.uint8)
    trace = lab.dense_trace(lab.fresh_model(), images)
    assert [stage.shape for stage in trace.stages] == [
        (64, 28, 28),  # the batch as stored
        (64, 784),  # flattened and scaled
        (784, 512),  # W: fc1.weight transposed
        (64, 512),  # x @ W
        (512,),  # the bias
        (64, 512),  # the bias broadcast over the batch
        (64, 512),  # x @ W + b
        (64, 512),  # relu
    ]
    assert trace.bias_strides == (0, 1)  # the broadcast copies nothing
    assert trace.largest_difference < 1e-5
    assert 0 < trace.zero_fraction < 1
    assert trace.stages[2].note == "stored (512, 784)"  # PyTorch keeps (out, in)


def test_dense_trace_follows_the_models_hidden_size_and_a_short_split():
    model = SimpleNN(hidden=32)
    trace = lab.dense_trace(model, IMAGES)  # 5 images: a batch of 5
    assert trace.stages[0].shape == (5, 28, 28)
    assert trace.stages[-1].shape == (5, 32)
    assert trace.stages[2].note == "stored (32, 784)"
    assert trace.stages[2].shape == (784, 32)


def test_fresh_model_is_seeded_and_leaves_the_global_generator_alone():
    before = torch.random.get_rng_state()
    first, second = lab.fresh_model(), lab.fresh_model()
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.equal(first.fc1.weight, second.fc1.weight)
    assert sum(p.numel() for p in first.parameters()) == 407_050  # the lecture's count


def test_real_train_labels_print_as_in_the_lecture(mnist_splits):
    labels = mnist_splits[0].labels
    assert lab.tensor_text(labels) == "tensor([5, 0, 4, ..., 5, 6, 8])"


def test_loader_batch_is_flat_and_scaled():
    batch = lab.loader_batch(IMAGES, 4)
    assert batch.shape == (4, 784) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[1], IMAGES[1].ravel() / 255)


def test_naive_loops_match_numpy():
    rng = np.random.default_rng(1)
    x, y = rng.random((20, 10)) - 0.5, rng.random((20, 10))
    np.testing.assert_array_equal(lab.naive_relu(x), np.maximum(x, 0))
    np.testing.assert_allclose(lab.naive_add(x, y), x + y)
    assert lab.naive_vector_dot(x[0], y[0]) == pytest.approx(np.dot(x[0], y[0]))
    np.testing.assert_allclose(lab.naive_matrix_vector_dot(x, y[0]), np.dot(x, y[0]))
    np.testing.assert_allclose(lab.naive_matrix_dot(x, y.T), np.dot(x, y.T))


def test_compare_elementwise_times_both_and_agrees():
    results = lab.compare_elementwise((20, 100), repeat=1)
    assert [r.name for r in results] == ["relu", "add"]
    assert all(r.same and r.naive_seconds > 0 and r.ratio > 1 for r in results)
    assert results[0].summary().startswith("vectorized ") and results[0].summary().endswith(
        "faster"
    )
    with pytest.raises(lab.TooLarge):
        lab.compare_elementwise((1000, 1000))


@pytest.mark.parametrize(
    ("x", "y"),
    [((32, 10), (10,)), ((64, 3, 32, 10), (10,)), ((64, 3, 32, 10), (32, 10)), ((1,), ())],
)
def test_broadcast_matches_numpy(x, y):
    result = lab.broadcast(x, y)
    assert result.result == np.broadcast_shapes(x, y)
    assert len(result.y_padded) == len(result.result)
    assert lab.broadcast_maximum(x, y).shape == result.result


def test_broadcast_added_axes_and_error():
    assert lab.broadcast((64, 3, 32, 10), (10,)).added_axes == (0, 3)
    assert lab.broadcast((64, 3, 32, 10), (10,)).y_padded == (1, 1, 1, 10)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        lab.broadcast((32, 10), (3,))


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ((3,), (3,)),
        ((4, 3), (3,)),
        ((4, 3), (3, 5)),
        ((2, 3, 4, 5), (5, 6)),
        ((), (3, 2)),
        ((2, 4), (3, 4, 2)),
    ],
)
def test_dot_shape_matches_numpy(x, y):
    assert lab.dot_shape(x, y) == np.dot(np.ones(x), np.ones(y)).shape


def test_dot_shape_misaligned_raises_numpys_message():
    with pytest.raises(ValueError, match=r"shapes \(4,3\) and \(4,5\) not aligned"):
        lab.dot_shape((4, 3), (4, 5))


def test_compare_dot_and_order():
    result = lab.compare_dot((16, 16), (16, 16))
    assert result.same and result.ratio > 1
    x, y, xy, yx = lab.dot_order_example()
    assert not np.array_equal(xy, yx)
    np.testing.assert_array_equal(xy, x @ y)


def test_reshape_and_transpose_as_in_the_notebook():
    x = lab.reshape_source()
    assert x.shape == (3, 2) and np.issubdtype(x.dtype, np.integer)  # the lecture's ints
    assert str(lab.reshape(x, (6, 1))) == "[[0]\n [1]\n [2]\n [3]\n [4]\n [5]]"
    assert str(lab.reshape(x, (2, 3))) == "[[0 1 2]\n [3 4 5]]"
    np.testing.assert_array_equal(lab.reshape(x, (2, 3)), [[0, 1, 2], [3, 4, 5]])
    with pytest.raises(ValueError, match=r"cannot reshape array of size 6 into shape \(3,4\)"):
        lab.reshape(x, (3, 4))
    assert lab.transpose_shape((300, 20)) == (20, 300)


def test_video_tensor_is_computed_not_allocated():
    count, nbytes = lab.tensor_size((4, 240, 144, 256, 3))
    assert count == 106_168_320
    assert lab.format_bytes(nbytes) == "405 MB"
    with pytest.raises(lab.TooLarge):
        lab.check_size((4, 240, 144, 256, 3))


# --- Hostile shapes: the shape rules answer from the numbers, allocating nothing ----------------

HUGE = 99_999_999_999
FORTY_ONES = (1,) * 40
SMALL = 4 * 1024**2  # bytes: far below any array the hostile shapes below describe


def peak_bytes(compute) -> tuple[object, int]:
    """What `compute` returns (or the exception it raises) and the most memory held meanwhile.

    tracemalloc counts NumPy's array buffers as well as Python's objects.
    """
    tracemalloc.start()
    try:
        try:
            outcome = compute()
        except Exception as error:
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_meter_sees_numpy_arrays():
    _, peak = peak_bytes(lambda: np.ones(1_000_000))
    assert peak >= 8_000_000


def refusal(outcome: object, expected: str, max_length: int = 200) -> None:
    """A ValueError whose message is one line, at most max_length long, saying `expected`."""
    assert isinstance(outcome, ValueError), outcome
    message = str(outcome)
    assert expected in message
    assert "\n" not in message and len(message) <= max_length


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        pytest.param(
            lambda: lab.broadcast((HUGE, 3), (4, 5)), "cannot be broadcast", id="bc-clash"
        ),
        pytest.param(lambda: lab.broadcast(FORTY_ONES, (1,)).result, FORTY_ONES, id="bc-40-dims"),
        pytest.param(lambda: lab.broadcast((HUGE, 1), (1, HUGE)).result, (HUGE, HUGE), id="bc-big"),
        pytest.param(
            lambda: lab.broadcast_maximum((0,), (100_000_000, 1)),
            "100,000,000 elements is more than this lab allocates (10,000,000)",
            id="bc-empty-result-huge-operand",
        ),
        pytest.param(
            lambda: lab.broadcast_maximum(FORTY_ONES, (1,)),
            "40 dimensions is more than this lab takes (8)",
            id="bc-max-40-dims",
        ),
        pytest.param(
            lambda: lab.dot_shape((HUGE, 3), (4, 5)),
            "shapes (99999999999,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)",
            id="dot-1TiB",
        ),
        pytest.param(lambda: lab.dot_shape((200_000_000, 3), (4, 2)), "not aligned", id="dot-2GB"),
        pytest.param(lambda: lab.dot_shape((HUGE, 7), (7, HUGE)), (HUGE, HUGE), id="dot-big"),
        pytest.param(lambda: lab.dot_shape(FORTY_ONES, (1,)), FORTY_ONES[:-1], id="dot-40-dims"),
        pytest.param(
            lambda: lab.compare_dot((HUGE, 3), (4, 2)), "not aligned", id="timed-dot-misaligned"
        ),
        pytest.param(
            lambda: lab.compare_dot((10_000_000, 0), (0,)),
            "10,000,000 elements is more than this lab allocates (200,000)",
            id="timed-dot-empty-operand",
        ),
        pytest.param(
            lambda: lab.compare_dot((100, 1000), (1000, 100)),
            "10,000,000 multiply-adds is more than the Python loops take (200,000)",
            id="timed-dot-steps",
        ),
        pytest.param(
            lambda: lab.compare_elementwise((HUGE, 3)),
            "more than this lab allocates (200,000)",
            id="timed-elementwise",
        ),
        pytest.param(
            lambda: lab.reshape(lab.reshape_source(), (HUGE, 3)),
            "cannot reshape array of size 6 into shape (99999999999,3)",
            id="reshape-big",
        ),
        pytest.param(
            lambda: lab.reshape(lab.reshape_source(), (10**30,)),
            "longer than NumPy allows (9,223,372,036,854,775,807)",
            id="reshape-beyond-numpy",
        ),
        pytest.param(
            lambda: lab.reshape(lab.reshape_source(), (*FORTY_ONES, 6)),
            "41 dimensions is more than this lab takes (8)",
            id="reshape-41-dims",
        ),
        pytest.param(lambda: lab.transpose_shape((HUGE, 3)), (3, HUGE), id="transpose"),
        pytest.param(
            lambda: lab.tensor_size((HUGE,) * 8), (HUGE**8, 4 * HUGE**8), id="data-tensor-size"
        ),
        pytest.param(
            lambda: parse_shape(str(FORTY_ONES)),
            "40 dimensions is more than this lab takes (8)",
            id="parse-40-dims",
        ),
        pytest.param(
            lambda: parse_shape("(99999999999, 3)", lab.MAX_ELEMENTS),
            "299,999,999,997 elements is more than this lab allocates (10,000,000)",
            id="parse-over-cap",
        ),
        pytest.param(
            lambda: parse_shape("(0, " + "9" * 150 + ")"),
            "an axis of about 10^149 is longer than NumPy allows",
            id="parse-axis-beyond-numpy",
        ),
        pytest.param(
            lambda: parse_shape("(9999999999, 9999999999)"),
            "more than NumPy can index (9,223,372,036,854,775,807)",
            id="parse-count-beyond-numpy",
        ),
        pytest.param(
            lambda: parse_shapes("(" + "1, " * 60 + "), (1,)", 2),
            "60 dimensions is more than this lab takes (8)",
            id="parse-shapes-60-dims",
        ),
        pytest.param(
            lambda: apply_index("train_images[" + "9" * 30 + "]", TENSORS),
            "out of bounds",
            id="index-beyond-numpy",
        ),
        pytest.param(
            lambda: apply_index("train_images[::" + "9" * 30 + "]", TENSORS)[1].shape,
            (1, 28, 28),
            id="index-huge-step",
        ),
        pytest.param(
            lambda: apply_index("train_images[::0]", TENSORS),
            "slice step cannot be zero",
            id="step-0",
        ),
    ],
)
def test_shape_rules_answer_at_once_without_allocating(compute, expected):
    outcome, peak = peak_bytes(compute)
    assert peak < SMALL, f"{peak:,} bytes"
    if isinstance(expected, str):
        refusal(outcome, expected)
    else:
        assert outcome == expected


small_shapes = st.lists(st.sampled_from([0, 1, 1, 2, 3]), max_size=5).map(tuple)


def numpys(compute) -> object:
    try:
        return compute()
    except ValueError as error:
        return str(error)


def ours(compute) -> object:
    outcome, peak = peak_bytes(compute)
    assert peak < SMALL
    return str(outcome) if isinstance(outcome, ValueError) else outcome


@settings(max_examples=200, deadline=None)
@given(small_shapes, small_shapes)
def test_broadcast_rule_is_numpys_result_and_message(x, y):
    assert ours(lambda: lab.broadcast(x, y).result) == numpys(lambda: np.broadcast_shapes(x, y))


@settings(max_examples=200, deadline=None)
@given(small_shapes, small_shapes)
def test_dot_rule_is_numpys_result_and_message(x, y):
    expected = numpys(lambda: np.dot(np.ones(x), np.ones(y)).shape)
    assert ours(lambda: lab.dot_shape(x, y)) == expected


@settings(max_examples=200, deadline=None)
@given(small_shapes)
def test_reshape_rule_is_numpys_result_and_message(shape):
    source = lab.reshape_source()
    expected = numpys(lambda: source.reshape(shape).shape)
    assert ours(lambda: lab.reshape(source, shape).shape) == expected


big_sizes = st.one_of(st.sampled_from([0, 1, 3]), st.integers(0, 10**30))
big_shapes = st.lists(big_sizes, max_size=12).map(tuple)


@settings(max_examples=200, deadline=None)
@given(big_shapes, big_shapes)
def test_any_sizes_get_an_answer_without_allocating(x, y):
    """Whatever the sizes, the rules answer (a shape, or one line saying no) in a few KB.

    What does allocate (np.maximum of the two) either stays under its cap or refuses in a few KB.
    """
    for compute in (
        lambda: lab.broadcast(x, y).result,
        lambda: lab.dot_shape(x, y),
        lambda: lab.reshape(lab.reshape_source(), x).shape,
        lambda: lab.broadcast_maximum(x, y),
    ):
        outcome, peak = peak_bytes(compute)
        if isinstance(outcome, Exception):
            refusal(outcome, "", max_length=1000)  # quoting shapes of 12 sizes up to 10**30
        if isinstance(outcome, np.ndarray):
            assert outcome.size <= lab.MAX_ELEMENTS
        else:
            assert peak < SMALL, f"{peak:,} bytes"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**30), max_size=40).map(tuple))
def test_parsed_shapes_are_within_every_limit_or_refused_naming_it(shape):
    text = f"({', '.join(str(n) for n in shape)}{',' if len(shape) == 1 else ''})"
    if len(text) > 200:
        return  # the length cap, tested with the whitelist
    try:
        parsed = parse_shape(text, lab.MAX_ELEMENTS)
    except ValueError as error:
        refusal(error, "")
        assert any(
            limit in str(error)
            for limit in (f"({lab.MAX_DIMS})", f"({lab.MAX_COUNT:,})", f"({lab.MAX_ELEMENTS:,})")
        )
        return
    assert parsed == shape
    assert len(shape) <= lab.MAX_DIMS and math.prod(shape) <= lab.MAX_ELEMENTS


def test_refusals_quote_little_of_what_was_typed():
    with pytest.raises(IndexExpressionError) as caught:
        parse_index("train_images[" + "a + " * 40 + "a]", tuple(TENSORS))
    assert len(str(caught.value)) < 100 and "…" in str(caught.value)
    with pytest.raises(IndexExpressionError, match="empty: type a shape"):
        parse_shape("   ")


def test_scalar_and_empty_shapes_are_timed_too():
    for shape in [(), (0, 5)]:
        assert all(c.same for c in lab.compare_elementwise(shape, repeat=1))


def test_whole_tensor_key_and_huge_sizes_print():
    expression, result = apply_index("train_images[()]", TENSORS)
    assert expression.describe() == "train_images[()]" and result.shape == IMAGES.shape
    assert lab.format_bytes(4 * 1024**4 * 3_000_000) == "12,000,000 TB"
    assert lab.format_bytes(10**400) == "about 10^387 TB"


# --- Geometry -----------------------------------------------------------------------------------


def test_rotation_facts_are_the_notebooks():
    facts = dict(lab.rotation_facts())
    np.testing.assert_array_equal(facts["rotation · x"], [0, 2])
    np.testing.assert_array_equal(facts["x · rotation"], [0, -2])
    np.testing.assert_array_equal(facts["rotation * x"], [[0, 0], [2, 0]])


def test_transforms_match_their_matrices():
    p = lab.shape_points()
    np.testing.assert_allclose(lab.TRANSFORMS["translation"][1](p), p + np.array([3, 1]))
    np.testing.assert_allclose(lab.TRANSFORMS["rotation"][1](p), (lab.ROTATION @ p.T).T)
    assert (lab.TRANSFORMS["affine + relu"][1](p) >= 0).all()


def test_two_affine_maps_compose_into_one():
    p = lab.shape_points()
    w, b = lab.compose_affine(lab.AFFINE_W, lab.AFFINE_B, lab.AFFINE2_W, lab.AFFINE2_B)
    np.testing.assert_allclose(lab.TRANSFORMS["two affines"][1](p), lab.affine(p, w, b))


# --- Uncrumpling --------------------------------------------------------------------------------


def test_projection_of_a_briefly_trained_model():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 200)
    # Each class lights its own block of pixels, plus noise: learnable in a few steps.
    images = rng.integers(0, 60, (200, 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, label * 2 : label * 2 + 3, :] = 255
    model = SimpleNN(hidden=16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.as_tensor(images).float().reshape(200, -1) / 255
    y = torch.as_tensor(labels)
    for _ in range(30):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    pixels, hidden, kept = lab.project_representations(model, images, labels, n=150)
    assert pixels.shape == hidden.shape == (150, 2)
    np.testing.assert_array_equal(kept, labels[:150])
    assert model.training  # left as it was found
    again = lab.project_representations(model, images, labels, n=150)
    np.testing.assert_allclose(again[1], hidden)  # deterministic: same picture every time
    assert 0 <= lab.centroid_accuracy(hidden, kept) <= 1


def test_pca_2d_matches_numpy_svd_up_to_sign():
    data = np.random.default_rng(2).random((50, 6))
    ours = lab.pca_2d(torch.as_tensor(data)).numpy()
    centered = data - data.mean(axis=0)
    _, _, vh = np.linalg.svd(centered, full_matrices=False)
    theirs = centered @ vh[:2].T
    np.testing.assert_allclose(np.abs(ours), np.abs(theirs), atol=1e-8)
