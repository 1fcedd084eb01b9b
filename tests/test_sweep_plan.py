"""core.sweep.plan: comma lists become a grid, ranges random draws, bad values one line each."""

from __future__ import annotations

import pytest

from core.config import TrainConfig
from core.sweep.plan import (
    CONFIRM_ABOVE,
    MAX_LABEL,
    MAX_MEMBERS,
    Range,
    SweepError,
    check_size,
    grid,
    grid_size,
    parse_axis,
    random_draws,
)

BASE = TrainConfig(dataset="synthetic", epochs=1)


def axes(**flags: str) -> dict:
    return {name: parse_axis(name, text) for name, text in flags.items()}


def test_the_issues_grid_has_every_combination_the_last_flag_varying_fastest():
    plan = grid(
        BASE, axes(lr="1e-4,3e-4,1e-3,3e-3", hidden="128,512", optimizer="rmsprop,adam", seed="0,1")
    )
    assert len(plan) == 4 * 2 * 2 * 2 == 32
    assert plan.swept == ("lr", "hidden", "optimizer", "seed")
    assert [m.index for m in plan.members] == list(range(32))
    first, second, last = plan.members[0], plan.members[1], plan.members[-1]
    assert first.label == "lr=0.0001 hidden=128 optimizer=rmsprop seed=0"
    assert second.label == "lr=0.0001 hidden=128 optimizer=rmsprop seed=1"
    assert last.label == "lr=0.003 hidden=512 optimizer=adam seed=1"
    assert (last.config.lr, last.config.hidden, last.config.optimizer, last.config.seed) == (
        3e-3,
        512,
        "adam",
        1,
    )
    # What was not swept is the base recipe's.
    assert {(m.config.dataset, m.config.epochs, m.config.batch_size) for m in plan.members} == {
        ("synthetic", 1, 64)
    }
    assert len({m.config for m in plan.members}) == 32


def test_a_one_value_list_sets_the_recipe_without_being_swept():
    plan = grid(BASE, axes(epochs="3", lr="1e-3,1e-2"))
    assert plan.swept == ("lr",)
    assert [m.label for m in plan.members] == ["lr=0.001", "lr=0.01"]
    assert {m.config.epochs for m in plan.members} == {3}


def test_any_config_field_can_be_swept_booleans_and_text_included():
    plan = grid(BASE, axes(cpu_kernels="on,off", loader="device,torchvision", batch_size="32,64"))
    assert len(plan) == 8
    assert plan.members[0].label == "cpu_kernels=on loader=device batch_size=32"
    assert {m.config.cpu_kernels for m in plan.members} == {True, False}
    assert parse_axis("cuda_graph", "true,No") == [True, False]
    assert parse_axis("data_dir", "/a,/b") == ["/a", "/b"]


def test_a_field_added_to_the_config_is_sweepable_without_an_edit(monkeypatch):
    from dataclasses import dataclass

    import core.config

    @dataclass(frozen=True)
    class Extended(core.config.TrainConfig):
        warmup: int = core.config.setting(0, "epochs of warm-up", bounds=(0, 10))

    monkeypatch.setattr(core.config, "TrainConfig", Extended)
    plan = grid(Extended(dataset="synthetic"), axes(warmup="0,2,4"))
    assert [m.config.warmup for m in plan.members] == [0, 2, 4]
    with pytest.raises(SweepError, match=r"^--warmup: warmup must be a whole number in 0..10"):
        parse_axis("warmup", "11")


def test_random_draws_stay_in_their_ranges_and_repeat_with_the_same_seed():
    ranges = axes(lr="1e-4:1e-2:log", hidden="64:512", optimizer="sgd,adam")
    plan = random_draws(BASE, ranges, 200, seed=7)
    assert len(plan) == 200 and plan.swept == ("lr", "hidden", "optimizer")
    lrs = [m.config.lr for m in plan.members]
    hiddens = [m.config.hidden for m in plan.members]
    assert all(1e-4 <= lr <= 1e-2 for lr in lrs)
    assert all(isinstance(h, int) and 64 <= h <= 512 for h in hiddens)
    assert {m.config.optimizer for m in plan.members} == {"sgd", "adam"}
    # Log-uniform: each of the two decades gets about half the draws.
    below = sum(lr < 1e-3 for lr in lrs)
    assert 70 <= below <= 130, below
    # Values keep three significant digits, so the label is the value trained with.
    assert all(float(f"{lr:.3g}") == lr for lr in lrs)
    assert plan.members[0].label == (
        f"lr={lrs[0]:g} hidden={hiddens[0]} optimizer={plan.members[0].config.optimizer}"
    )
    again = random_draws(BASE, ranges, 200, seed=7)
    other = random_draws(BASE, ranges, 200, seed=8)
    assert [m.config for m in again.members] == [m.config for m in plan.members]
    assert [m.config for m in other.members] != [m.config for m in plan.members]


def test_a_linear_range_is_uniform():
    plan = random_draws(BASE, axes(lr="0.001:0.009"), 300, seed=0)
    below = sum(m.config.lr < 0.005 for m in plan.members)
    assert 120 <= below <= 180, below


def test_a_range_parses_to_its_bounds():
    assert parse_axis("lr", "1e-4:1e-2:log") == Range(1e-4, 1e-2, log=True)
    assert parse_axis("hidden", " 64:512 ") == Range(64, 512, log=False)
    assert parse_axis("hidden", "64:64") == Range(64, 64)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("lr", "", "--lr: an empty list; give values like 1e-4,1e-3"),
        ("lr", "   ", "--lr: an empty list; give values like 1e-4,1e-3"),
        ("lr", "1e-3,,1e-2", "--lr: an empty item in '1e-3,,1e-2'; give values like 1e-4,1e-3"),
        ("lr", "1e-3,", "--lr: an empty item in '1e-3,'; give values like 1e-4,1e-3"),
        ("lr", "0,1e-3", "--lr: lr must be a finite number > 0, got 0.0"),
        ("lr", "1e-3,nan", "--lr: lr must be a finite number > 0, got nan"),
        ("lr", "fast", "--lr: 'fast' is not a number"),
        ("hidden", "128,0", "--hidden: hidden must be a whole number in 1..16384, got 0"),
        ("hidden", "1.5", "--hidden: '1.5' is not a whole number"),
        ("epochs", "1001", "--epochs: epochs must be a whole number in 1..1000, got 1001"),
        ("optimizer", "adam,lbfgs", "--optimizer: unknown optimizer 'lbfgs'; "
         "choose one of rmsprop, sgd, adam"),
        ("dataset", "mnist,cifar", "--dataset: unknown dataset 'cifar'; "
         "choose one of mnist, fashion, synthetic"),
        ("cpu_kernels", "on,maybe", "--cpu-kernels: 'maybe' is neither true nor false"),
        ("lr", "1e-3,0.001", "--lr: 0.001 is given twice"),
        ("lr", "1e-2:1e-4", "--lr: the range '1e-2:1e-4' has its minimum above its maximum"),
        ("hidden", "512:64:log",
         "--hidden: the range '512:64:log' has its minimum above its maximum"),
        ("lr", "1e-4:1e-2:lin", "--lr: a range is MIN:MAX or MIN:MAX:log, not '1e-4:1e-2:lin'"),
        ("hidden", "0:64", "--hidden: hidden must be a whole number in 1..16384, got 0"),
        ("seed", "0:10:log", "--seed: a log range needs a minimum above 0, not 0"),
        ("no_such_field", "1,2", "--no-such-field: TrainConfig has no field 'no_such_field'"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_in_one_line_naming_the_flag(name, text, message):
    with pytest.raises(SweepError) as caught:
        parse_axis(name, text)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_a_range_in_a_grid_asks_for_random():
    with pytest.raises(SweepError, match=r"^--lr: a range \(0.0001:0.01:log\) is drawn from only"):
        grid(BASE, axes(lr="1e-4:1e-2:log"))


def test_size_is_counted_before_members_are_made_and_large_sweeps_ask_for_yes():
    huge = axes(seed=",".join(map(str, range(1000))), hidden=",".join(map(str, range(1, 1001))))
    assert grid_size(huge) == 1_000_000
    with pytest.raises(SweepError, match=f"at most {MAX_MEMBERS:,} can run"):
        check_size(grid_size(huge), confirmed=True)
    check_size(CONFIRM_ABOVE, confirmed=False)
    with pytest.raises(SweepError) as caught:
        check_size(CONFIRM_ABOVE + 1, confirmed=False)
    assert str(caught.value) == "the grid has 257 members (more than 256); add --yes to train them"
    check_size(CONFIRM_ABOVE + 1, confirmed=True)


def test_a_long_label_is_cut_to_fit_a_run_name():
    plan = grid(
        BASE,
        axes(
            lr="1.23456e-4,2e-4",
            hidden="16383,16384",
            optimizer="rmsprop,adam",
            seed="9223372036854775806,9223372036854775807",
            batch_size="59999,60000",
            data_dir="/a/very/long/folder/name/for/the/data,/b",
        ),
    )
    assert all(len(m.label) <= MAX_LABEL for m in plan.members)
    assert plan.members[0].label.endswith("…")


def test_random_draws_of_an_int_log_range_are_whole_and_in_range():
    plan = random_draws(BASE, axes(hidden="16:4096:log"), 100, seed=1)
    hiddens = [m.config.hidden for m in plan.members]
    assert all(isinstance(h, int) and 16 <= h <= 4096 for h in hiddens)
    assert min(hiddens) < 64 and max(hiddens) > 1024
    # Log-uniform over 16..4096 averages about 740; uniform would average 2056.
    assert sum(hiddens) / len(hiddens) < 1300
