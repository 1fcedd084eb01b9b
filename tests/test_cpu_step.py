"""The CPU step in C (core/cpu_step.py) against autograd and torch.optim.RMSprop."""

import os
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import cpu_step
from core.events import RunStarted
from core.loaders import DeviceLoader
from core.model import SimpleNN
from core.steps import CStep, EpochMetrics
from core.train import fit
from tests.tiny import tiny_config, tiny_data

BATCH = 64


@pytest.fixture(autouse=True)
def kernels_built():
    """CI installs with a C compiler, so there the kernels must exist; elsewhere they may not."""
    if cpu_step.kernels is None:
        if os.environ.get("CI") == "true":
            pytest.fail("core._cpu_kernels was not built by the install")
        pytest.skip("core._cpu_kernels is not built here (no C compiler at install time)")


# Every vector width the kernels are built for (x86-64: avx512, avx2, sse2; elsewhere generic).
ALL_WIDTHS = ("avx512", "avx2", "sse2", "generic")


@pytest.fixture(params=ALL_WIDTHS)
def width(request):
    """Run the kernels at this width for the test, if the CPU runs it; then the default again."""
    kernels = cpu_step.kernels
    if request.param not in kernels.simd_widths():
        pytest.skip(f"this CPU or build has no {request.param} kernels")
    default = kernels.simd()
    kernels.use_simd(request.param)
    yield request.param
    kernels.use_simd(default)


def digits(count=300):
    """Real glyphs with a dark border of pixels that no image lights."""
    train, _ = tiny_data()
    images = torch.from_numpy(np.array(train.images[:count])).reshape(count, -1)
    images[:, :100] = 0
    return images.contiguous(), torch.from_numpy(np.array(train.labels[:count], dtype=np.int64))


def batches(count, batch=BATCH):
    order = torch.randperm(count, generator=torch.Generator().manual_seed(0))
    return [order[s : s + batch] for s in range(0, count, batch)]  # the last one is partial


def reference(model, images, labels, order):
    """The notebook's step: autograd and torch.optim.RMSprop."""
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    figures = []
    for index in order:
        x, y = images[index].float().div(255), labels[index]
        optimizer.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        figures.append((loss.item(), int((logits.argmax(1) == y).sum())))
    return optimizer, figures


def fused(model, images, labels, order, threads=1):
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses = torch.zeros(len(order))
    corrects = torch.zeros(len(order), dtype=torch.int64)
    step = cpu_step.FusedCpuStep(model, optimizer, images, labels, BATCH, losses, corrects, threads)
    for b, index in enumerate(order):
        step.step(index, b)
    step.record_steps()
    return optimizer, list(zip(losses.tolist(), corrects.tolist(), strict=True)), step


def assert_close_to_rounding(ours, theirs, lr=1e-3):
    """Equal up to float rounding, as two BLAS libraries' sums are.

    RMSprop divides a gradient by its own running size, so where a gradient is a near-total
    cancellation (|g| ~ 1e-9, comparable to its rounding error) the step can differ by a
    few hundredths of lr. Everywhere else the weights agree to ~1e-7.
    """
    difference = (ours - theirs).abs()
    assert float(difference.max()) < lr / 20
    assert int((difference > 1e-6).sum()) <= max(2, difference.numel() // 1000)


def twin_models(hidden=512):
    torch.manual_seed(0)
    first = SimpleNN(hidden)
    second = SimpleNN(hidden)
    second.load_state_dict(first.state_dict())
    return first, second


# 512: whole blocks at every width; 200: blocks, single vectors and (sse2) none left over;
# 37: a remainder
@pytest.mark.parametrize("hidden", [512, 200, 37])
@pytest.mark.parametrize("threads", [1, 2])
def test_steps_match_autograd_and_torchs_rmsprop(hidden, threads, width):
    images, labels = digits()
    order = batches(len(labels))
    ours, theirs = twin_models(hidden)
    our_optimizer, our_figures, _ = fused(ours, images, labels, order, threads)
    their_optimizer, their_figures = reference(theirs, images, labels, order)

    for (our_loss, our_hits), (their_loss, their_hits) in zip(
        our_figures, their_figures, strict=True
    ):
        assert our_loss == pytest.approx(their_loss, rel=1e-5)
        assert abs(our_hits - their_hits) <= 1  # a near-tie may round the other way
    for name, ours_now in ours.state_dict().items():
        assert_close_to_rounding(ours_now, theirs.state_dict()[name])
    our_state, their_state = our_optimizer.state_dict(), their_optimizer.state_dict()
    for key, theirs_now in their_state["state"].items():
        assert set(our_state["state"][key]) == set(theirs_now)
        assert float(our_state["state"][key]["step"]) == float(theirs_now["step"]) == len(order)
        torch.testing.assert_close(
            our_state["state"][key]["square_avg"], theirs_now["square_avg"], rtol=1e-4, atol=1e-12
        )


def test_a_pixel_dark_in_a_batch_keeps_its_weights_and_decays_its_square_average(width):
    images, labels = digits(128)
    images[:, 400] = 0
    images[0, 400] = 200  # lit in the first batch only
    order = [torch.arange(64), torch.arange(64, 128)]
    model, _ = twin_models()
    _, _, step = fused(model, images, labels, order[:1])
    weights, square = step.w1t[400].clone(), step.v1t[400].clone()
    assert square.abs().sum() > 0
    step.step(order[1], 0)
    assert torch.equal(step.w1t[400], weights)
    assert torch.equal(step.v1t[400], square * torch.tensor(0.99))
    assert torch.equal(step.v1t[:100], torch.zeros(100, 512))  # never lit: still exactly zero


def test_the_model_and_optimizer_see_the_steps_buffers():
    images, labels = digits(128)
    model, _ = twin_models()
    optimizer, _, step = fused(model, images, labels, batches(128))
    assert model.fc1.weight.shape == (512, 784)
    assert model.fc1.weight.data_ptr() == step.w1t.data_ptr()
    square = optimizer.state[model.fc1.weight]["square_avg"]
    assert square.shape == (512, 784) and square.data_ptr() == step.v1t.data_ptr()
    x = images[:5].float().div(255)
    expected = F.relu(x @ step.w1t + step.b1) @ step.w2.T + step.b2
    torch.testing.assert_close(model(x), expected)


def test_the_same_run_twice_gives_identical_weights_with_two_threads():
    images, labels = digits()
    first, second = twin_models()
    _, _, step = fused(first, images, labels, batches(len(labels)), threads=2)
    assert step.threads == 2  # the C loops really ran on two threads
    fused(second, images, labels, batches(len(labels)), threads=2)
    for name, tensor in first.state_dict().items():
        assert torch.equal(tensor, second.state_dict()[name]), name


def test_fit_uses_the_c_step_and_learns_as_the_plain_step_does(monkeypatch):
    events = []
    fast = fit(tiny_config(), events.append, data=tiny_data())
    started = next(e for e in events if isinstance(e, RunStarted))
    assert any("CPU step in C" in note for note in started.notes)
    monkeypatch.setattr(cpu_step, "kernels", None)
    events = []
    plain = fit(tiny_config(), events.append, data=tiny_data())
    started = next(e for e in events if isinstance(e, RunStarted))
    assert any("not built" in note for note in started.notes)
    for ours, theirs in zip(fast.history, plain.history, strict=True):
        assert ours.train_loss == pytest.approx(theirs.train_loss, rel=1e-3)
        assert ours.test_acc == pytest.approx(theirs.test_acc, abs=0.02)


def test_other_optimizers_keep_the_plain_step():
    assert cpu_step.unavailable_reason("adam") is not None
    assert cpu_step.unavailable_reason("rmsprop") is None


def test_a_split_of_identical_images_fills_the_pixel_lists_to_the_brim(width):
    # Every image has the split's most lit pixels, so a full batch uses all the room there is.
    images, labels = digits(128)
    images[:] = images[0]
    ours, theirs = twin_models()
    order = batches(128)
    _, our_figures, step = fused(ours, images, labels, order)
    _, their_figures = reference(theirs, images, labels, order)
    assert step.last_nonzeros == len(step.row_pixel) - 1  # full, but for the one spare slot
    assert [hits for _, hits in our_figures] == [hits for _, hits in their_figures]
    for name, tensor in ours.state_dict().items():
        assert_close_to_rounding(tensor, theirs.state_dict()[name])


def test_all_black_images_train_only_the_biases_and_the_last_layer(width):
    images, labels = digits(128)
    images.zero_()
    model, _ = twin_models()
    before = model.fc1.weight.detach().clone()
    optimizer, figures, _ = fused(model, images, labels, batches(128))
    assert torch.equal(model.fc1.weight, before)
    assert not optimizer.state[model.fc1.weight]["square_avg"].any()
    assert all(np.isfinite(loss) for loss, _ in figures)


def test_a_nan_weight_reaches_the_loss(width):
    images, labels = digits(64)
    model, _ = twin_models()
    with torch.no_grad():
        model.fc1.weight[7] = float("nan")  # one hidden unit
    _, figures, _ = fused(model, images, labels, batches(64))
    assert np.isnan(figures[0][0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda images, labels: (images, labels.clone().fill_(10)), "labels must be 0..9"),
        (lambda images, labels: (images[:, :700].contiguous(), labels), "images must be uint8"),
        (lambda images, labels: (images.float(), labels), "images must be uint8"),
    ],
)
def test_the_step_refuses_data_it_would_index_out_of_bounds(change, message):
    images, labels = change(*digits(64))
    model, _ = twin_models()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses, corrects = torch.zeros(1), torch.zeros(1, dtype=torch.int64)
    with pytest.raises(ValueError, match=message):
        cpu_step.FusedCpuStep(model, optimizer, images, labels, BATCH, losses, corrects, 1)


def fused_step(images, labels, optimizer=None, model=None, batches_=2):
    model = model or twin_models()[0]
    optimizer = optimizer or torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses, corrects = torch.zeros(batches_), torch.zeros(batches_, dtype=torch.int64)
    return cpu_step.FusedCpuStep(model, optimizer, images, labels, BATCH, losses, corrects, 1)


@pytest.mark.parametrize(
    ("square", "message"),
    [
        (lambda p: torch.zeros(10), r"v1t is torch.float32 \(10,\)"),
        (lambda p: torch.zeros_like(p, dtype=torch.float64), r"v1t is torch.float64"),
        (lambda p: torch.zeros(p.shape[1], p.shape[0]), r"v1t is torch.float32 \(512, 784\)"),
    ],
)
def test_optimizer_state_of_the_wrong_shape_or_dtype_is_refused_before_any_c_call(square, message):
    """What a bad checkpoint used to feed the C step (and crash the process with SIGSEGV)."""
    images, labels = digits(64)
    model, _ = twin_models()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    first = model.fc1.weight
    optimizer.state[first] = {"step": torch.tensor(3.0), "square_avg": square(first)}
    with pytest.raises(ValueError, match=message):
        fused_step(images, labels, optimizer, model)


def test_optimizer_settings_the_step_cannot_use_are_refused():
    images, labels = digits(64)
    model, _ = twin_models()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    optimizer.param_groups[0]["lr"] = float("nan")
    with pytest.raises(ValueError, match="RMSprop needs 0 < lr"):
        fused_step(images, labels, optimizer, model)


@pytest.mark.parametrize(
    ("index", "b", "message"),
    [
        (torch.tensor([0, 1, 64]), 0, r"index 64 \(batch position 2\) is outside the 64 images"),
        (torch.tensor([-1]), 0, r"index -1 \(batch position 0\) is outside the 64 images"),
        (torch.tensor([2**40]), 0, "is outside the 64 images"),
        (torch.tensor([0, 1]), 2, "batch 2 is outside the 2 slots"),
        (torch.tensor([0, 1]), -1, "batch -1 is outside the 2 slots"),
        (torch.tensor([], dtype=torch.int64), 0, "index must be int64 with 1 to 64 samples"),
        (torch.arange(65), 0, "index must be int64 with 1 to 64 samples"),
        (torch.tensor([[0, 1]]), 0, "index must be int64 with 1 to 64 samples"),
    ],
)
def test_the_c_step_refuses_an_index_it_would_read_out_of_bounds(index, b, message):
    step = fused_step(*digits(64))
    with pytest.raises(ValueError, match=message):
        step.step(index, b)
    step.step(torch.arange(64), 1)  # and still trains afterwards
    assert step.losses[1] > 0


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("groups", [[5], [1, 1, 3], [2, 3]])
def test_batches_trained_in_one_call_are_exactly_those_trained_one_by_one(threads, groups, width):
    """steps() runs the very kernels step() calls, in the same order: the same bits come out,
    the short last batch included (300 samples: four batches of 64 and one of 44)."""
    images, labels = digits()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    one_by_one, grouped = twin_models()
    _, expected_figures, _ = fused(one_by_one, images, labels, batches(len(labels)), threads)
    optimizer = torch.optim.RMSprop(grouped.parameters(), lr=1e-3)
    losses, corrects = torch.zeros(5), torch.zeros(5, dtype=torch.int64)
    step = cpu_step.FusedCpuStep(
        grouped, optimizer, images, labels, BATCH, losses, corrects, threads
    )
    first = 0
    for count in groups:
        step.steps(order, first, count)
        first += count
    step.record_steps()
    assert list(zip(losses.tolist(), corrects.tolist(), strict=True)) == expected_figures
    for name, tensor in grouped.state_dict().items():
        assert torch.equal(tensor, one_by_one.state_dict()[name]), name
    assert int(optimizer.state[grouped.fc1.weight]["step"]) == 5


@pytest.mark.parametrize(
    ("order", "first", "count", "message"),
    [
        (torch.arange(64), 0, 2, r"batches 0\.\.1 are outside the order's 1"),
        (torch.arange(192), 1, 2, r"batch 2 is outside the 2 slots for losses"),
        (torch.arange(128), -1, 1, r"batches -1\.\.-1 are outside"),
        (torch.arange(128), 0, 0, "are outside"),
        (torch.arange(128).int(), 0, 1, "a 1-D int64 tensor"),
        (torch.tensor([0, 1, 64, 3]), 0, 1, r"index 64 \(batch position 2\) is outside the 64"),
        (torch.cat([torch.arange(64), torch.tensor([-1])]), 0, 2, r"index -1 \(batch position 0"),
    ],
)
def test_training_batches_in_one_call_refuses_what_it_would_read_out_of_bounds(
    order, first, count, message
):
    step = fused_step(*digits(64))
    with pytest.raises(ValueError, match=message):
        step.steps(order, first, count)
    step.steps(torch.arange(128) % 64, 1, 1)  # and still trains afterwards
    assert step.losses[1] > 0


def test_the_kernels_refuse_batches_outside_the_order():
    with pytest.raises(ValueError, match=r"train_batches: batches 1\.\.2 of 128 samples"):
        cpu_step.kernels.train_batches(0, 0, 0, 1, 0, 0, 128, 64, 1, 2, *[0] * 7, 100, 784, 512, 1)


def test_labels_changed_after_set_up_are_refused_by_the_gather():
    images, labels = digits(64)
    step = fused_step(images, labels)
    labels[5] = 10  # the step shares the caller's tensor
    with pytest.raises(ValueError, match=r"image 5 has label 10, outside 0\.\.9"):
        step.step(torch.arange(64), 0)


def test_images_lit_after_set_up_beyond_the_lists_room_are_refused_by_the_gather():
    images, labels = digits(64)
    step = fused_step(images, labels)
    images.fill_(255)  # every pixel lit: more than the room sized from the darker originals
    with pytest.raises(ValueError, match="lights more pixels than its"):
        step.step(torch.arange(64), 0)


def test_the_kernels_refuse_sizes_their_loops_cannot_run_with():
    kernels = cpu_step.kernels
    with pytest.raises(ValueError, match=r"head: needs n >= 1"):
        kernels.head(*[0] * 4, 0, 512, *[0] * 7)
    with pytest.raises(ValueError, match=r"forward: needs n >= 0, hidden >= 1"):
        kernels.forward(*[0] * 5, 1, 0, 0, 1)
    with pytest.raises(ValueError, match="gather_batch: rows"):
        kernels.gather_batch(0, 1, 0, 0, 2**30, 784, *[0] * 7, 100)


def test_the_kernels_run_at_the_widest_vectors_this_cpu_has():
    kernels = cpu_step.kernels
    widths = kernels.simd_widths()
    assert kernels.simd() == widths[0]
    assert widths[-1] in ("sse2", "generic")  # the one every CPU of the build runs
    try:
        flags = next(
            set(line.split(":", 1)[1].split())
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("flags")
        )
    except (OSError, StopIteration):
        flags = set()
    if "sse2" in widths:  # an x86-64 build: what /proc/cpuinfo lists must be used
        assert ("avx2" in widths) == ({"avx2", "fma"} <= flags)
        assert ("avx512" in widths) == ({"avx512f", "avx2", "fma"} <= flags)
    with pytest.raises(ValueError, match="no vector width called avx1024"):
        kernels.use_simd("avx1024")
    for name in ALL_WIDTHS:
        if name not in widths and name != "generic" and "sse2" in widths:
            with pytest.raises(ValueError, match=f"this CPU cannot run {name}"):
                kernels.use_simd(name)
    assert kernels.simd() == widths[0]  # a refused width changes nothing


def test_the_c_step_takes_only_the_next_batches_of_the_epochs_order():
    images, labels = digits(256)
    loader = DeviceLoader(images.numpy(), labels.numpy(), BATCH, "cpu")
    model, _ = twin_models()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    step = CStep(model, optimizer, loader, EpochMetrics.zeros(len(loader), torch.device("cpu")), 1)
    batches = iter(loader.epoch())
    assert step.take(batches, 0) == 1  # the first call takes one batch, to time it
    with pytest.raises(ValueError, match="must be the next ones of one epoch's order"):
        step.take(batches, 0)  # batch 1 handed over as batch 0
