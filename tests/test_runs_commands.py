"""`mnist-tui runs tag|untag|note`, `runs list --tag` and the figures `runs list` and `runs show`
give, over a real store in a temporary folder; bad input is one line and an exit status."""

from __future__ import annotations

import json

import pytest

from core.events import EpochEnd
from core.runs import RunStore
from tui.cli import main

FIGURES = [(0.95, 0.20), (0.97, 0.12), (0.96, 0.15)]  # test accuracy and loss per epoch


@pytest.fixture
def run_id(runs_folder) -> str:
    """One finished run of three epochs, its best the second."""
    with RunStore.open() as store:
        run = store.create({"epochs": 3}, "python", "cpu", "synthetic", name="first")
        for epoch, (acc, loss) in enumerate(FIGURES):
            store.append_epoch(run.id, EpochEnd(epoch, 0.3, 0.9, loss, acc, 2.0, 30_000.0, None))
        store.finish(run.id, "finished", 0.96, epochs_done=3)
    return run.id


def runs(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["runs", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_tag_and_untag_say_the_tags_the_run_has_now(capsys, run_id):
    assert runs(capsys, "tag", run_id, "baseline", "wide") == (
        0,
        f"{run_id} is tagged baseline, wide\n",
        "",
    )
    assert runs(capsys, "untag", "first", "wide") == (0, f"{run_id} is tagged baseline\n", "")
    assert runs(capsys, "untag", run_id, "baseline")[1] == f"{run_id} has no tags\n"


def test_note_writes_one_and_empty_text_clears_it(capsys, run_id):
    assert runs(capsys, "note", run_id, "the notebook's settings")[:2] == (
        0,
        f"{run_id}: the notebook's settings\n",
    )
    with RunStore.open() as store:
        assert store.get(run_id).note == "the notebook's settings"
    assert runs(capsys, "note", run_id, "")[:2] == (0, f"{run_id} has no note\n")
    with RunStore.open() as store:
        assert store.get(run_id).note is None


def test_list_json_has_the_best_epoch_lowest_loss_length_speed_tags_and_note(capsys, run_id):
    runs(capsys, "tag", run_id, "baseline")
    runs(capsys, "note", run_id, "kept")
    code, out, _ = runs(capsys, "list", "--json")
    (listed,) = json.loads(out)
    assert code == 0
    assert (listed["best_test_acc"], listed["best_epoch"], listed["min_test_loss"]) == (
        0.97,
        2,
        0.12,
    )
    assert listed["samples_per_s"] == 30_000.0 and listed["duration_s"] >= 0
    assert (listed["tags"], listed["note"]) == (["baseline"], "kept")


def test_list_tag_keeps_the_runs_with_every_tag_given(capsys, run_id):
    with RunStore.open() as store:
        other = store.create({"epochs": 1}, "python", "cpu", "synthetic", name="second")
        store.tag(other.id, ["baseline"])
        store.tag(run_id, ["baseline", "wide"])
    listed = json.loads(runs(capsys, "list", "--json", "--tag", "baseline")[1])
    assert [r["name"] for r in listed] == ["second", "first"]
    listed = json.loads(runs(capsys, "list", "--json", "--tag", "baseline", "--tag", "wide")[1])
    assert [r["name"] for r in listed] == ["first"]
    assert runs(capsys, "list", "--tag", "nobody")[:2] == (0, "no run is tagged nobody\n")


def test_list_and_show_print_the_figures_tags_and_note(capsys, run_id):
    runs(capsys, "tag", run_id, "baseline")
    runs(capsys, "note", run_id, "kept")
    table = runs(capsys, "list")[1].splitlines()
    assert table[0].split()[-3:] == ["best", "device", "tags"]
    assert "97.00% @2" in table[1] and table[1].endswith("baseline")
    lines = runs(capsys, "show", run_id)[1].split("\n\n")[0].splitlines()
    shown = {line[:12].strip(): line[13:] for line in lines}  # "key         value"
    assert shown["best acc"] == "97.00% at epoch 2" and shown["min loss"] == "0.1200"
    assert shown["samples/s"] == "30,000"
    assert shown["tags"] == "baseline" and shown["note"] == "kept"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tag", "ID", ""], "argument TAG: a tag cannot be empty"),
        (["tag", "ID", "two words"], "argument TAG: a tag is one word without spaces or commas"),
        (["untag", "ID", "a,b"], "argument TAG: a tag is one word without spaces or commas"),
        (["list", "--tag", "a b"], "argument --tag: a tag is one word without spaces or commas"),
    ],
)
def test_a_bad_tag_is_one_line_and_exit_2(capsys, run_id, argv, message):
    argv = [run_id if word == "ID" else word for word in argv]
    with pytest.raises(SystemExit) as exit_:
        main(["runs", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith(f"mnist-tui: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["tag", "abcdef12", "x"], ["note", "abcdef12", "x"]])
def test_an_unknown_run_is_one_line_and_exit_1(capsys, run_id, runs_folder, argv):
    code, out, err = runs(capsys, *argv)
    assert (code, out) == (1, "")
    assert err == f"mnist-tui: no run abcdef12 in {runs_folder / 'runs.sqlite'}\n"


def test_a_note_of_two_lines_is_one_line_and_exit_1(capsys, run_id):
    code, _, err = runs(capsys, "note", run_id, "two\nlines")
    assert code == 1
    assert err == "mnist-tui: a note is one line of at most 500 printable characters\n"


def test_a_sweep_id_lists_its_runs_and_is_named_a_sweep_where_a_run_is_asked_for(
    capsys, run_id
) -> None:
    with RunStore.open() as store:
        members = [
            store.create({"lr": lr}, "sweep", "cpu", "synthetic", sweep="5eed0a11").id
            for lr in (1e-3, 3e-4)
        ]
    code, out, _ = runs(capsys, "list", "--json", "--sweep", "5eed")  # its start will do
    assert code == 0 and sorted(run["id"] for run in json.loads(out)) == sorted(members)
    assert runs(capsys, "show", "5eed0a11") == (
        1,
        "",
        "mnist-tui: 5eed0a11 is a sweep, not a run: runs list --sweep 5eed0a11 lists its runs\n",
    )
    code, _, err = runs(capsys, "list", "--sweep", "0ff")
    assert code == 1 and err.startswith("mnist-tui: no sweep '0ff' in ")
