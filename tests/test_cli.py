"""The command line refuses what argparse would silently drop."""

from __future__ import annotations

import os
import signal

import pytest

from tests.pipes import read_until_closed, spawn_on_terminal
from tui.cli import main
from tui.cli.open_app import start_mode
from tui.cli.parser import build_parser, check_placement, parse


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            ["--dataset", "fashion", "show", "--index", "3"],
            ["show", "--index", "3", "--dataset", "fashion"],
        ),
        (
            ["--data-dir", "D", "--theme", "nord", "lesson"],
            ["lesson", "--data-dir", "D", "--theme", "nord"],
        ),
        (
            ["--runs", "R", "runs", "rm", "ab12", "--yes"],
            ["runs", "rm", "ab12", "--yes", "--runs", "R"],
        ),
        (  # options only `train` takes: their values are not read as the command
            ["--threads", "2", "--save", "x.pt", "train", "--headless"],
            ["train", "--headless", "--threads", "2", "--save", "x.pt"],
        ),
    ],
)
def test_options_before_a_command_mean_what_they_mean_after_it(before, after):
    assert vars(parse(build_parser(), before)) == vars(parse(build_parser(), after))


def test_the_lesson_takes_the_apps_data_and_theme_options():
    args = parse(build_parser(), ["lesson", "--data-dir", "D", "--theme", "nord"])
    assert (args.data_dir, args.theme, start_mode(args)) == ("D", "nord", "lesson")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--data-dir", "D", "runs", "list"],
            "unrecognized arguments: --data-dir D (see mnist-tui runs list --help)",
        ),
        (
            ["train", "--headless", "--theme", "nord"],
            "--theme: works only without --headless (the app's colours) "
            "(see mnist-tui train --help)",
        ),
    ],
)
def test_an_option_a_command_does_not_take_is_named_against_that_commands_help(
    capsys, argv, message
):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == f"mnist-tui: {message}\n"


@pytest.mark.parametrize(
    ("argv", "screen"),
    [
        (["--screen", "train"], "train"),
        (["--screen", "lesson", "--epochs", "3"], "lesson"),
        (["--theme", "nord", "--screen", "runs", "--dataset", "synthetic"], "runs"),
        (["--screen=train"], "train"),
    ],
)
def test_a_screen_named_as_a_command_is_the_screen_to_open_on(argv, screen):
    parser = build_parser()
    args = parser.parse_args(argv)
    check_placement(parser, argv, args)  # no "put options after the command"
    assert args.command is None and start_mode(args) == screen


def test_a_command_after_a_screen_named_as_one_is_still_the_command(capsys):
    with pytest.raises(SystemExit):
        main(["--screen", "train", "train", "--headless"])
    err = capsys.readouterr().err
    assert err == "mnist-tui: unrecognized arguments: --screen train (see mnist-tui train --help)\n"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--resume", "run.pt"], "--resume"),
        (["--threads", "2", "--no-cpu-kernels"], "--threads, --no-cpu-kernels"),
        (["--loader", "torchvision", "--no-cuda-graph"], "--loader, --no-cuda-graph"),
    ],
)
def test_headless_only_flags_without_headless_are_refused(capsys, argv, named):
    with pytest.raises(SystemExit) as exit_:
        main(["train", *argv])
    assert exit_.value.code == 2
    assert f"{named}: these work only with train --headless" in capsys.readouterr().err


def test_show_with_a_bad_folder_is_one_line_on_stderr(capsys, tmp_path):
    assert main(["show", "--data-dir", str(tmp_path / ("x" * 300))]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mnist-tui: ")


def test_show_prints_a_synthetic_digit(capsys):
    assert main(["show", "--dataset", "synthetic", "--index", "2", "--mode", "ascii"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("synthetic train[2]")
    assert len(out.splitlines()) == 29


def test_show_names_a_digit_once_and_a_fashion_class_by_name(capsys):
    assert main(["show", "--dataset", "synthetic", "--index", "2", "--mode", "ascii"]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert "label 5  [synthetic]" in title and "(5)" not in title  # not "label 5 (5)"
    fashion = "/usr/share/datasets/fashion-mnist"
    if os.path.isdir(fashion):
        assert main(["show", "--dataset", "fashion", "--index", "7", "--mode", "ascii"]) == 0
        assert capsys.readouterr().out.splitlines()[0].endswith("label 2 (Pullover)")


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"mnist-tui {version('mnist-tui')}"


def test_lesson_list_prints_one_title_a_line(capsys):
    from core.lesson import titles

    assert main(["lesson", "--list"]) == 0
    assert capsys.readouterr().out.splitlines() == titles()


def test_the_app_without_a_terminal_exits_at_once_with_one_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tui", "--dataset", "synthetic"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"},
    )
    assert done.returncode == 1
    assert done.stderr.startswith("mnist-tui: the app needs a terminal")
    assert done.stderr.count("\n") == 1 and done.stdout == ""


@pytest.mark.parametrize("after_s", [0.3, 1.5, 2.5, 4.0])
@pytest.mark.slow(reason="starts `train --headless` and interrupts it seconds in, once per moment")
def test_ctrl_c_at_any_moment_is_one_line_and_status_130(after_s):
    """Early the interpreter is still importing torch, then torch._dynamo (which building the
    optimizer imports); later the run is training."""
    import signal
    import subprocess
    import sys
    import time

    argv = ["train", "--headless", "--dataset", "synthetic", "--epochs", "50", "--threads", "1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after_s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    # 130 from our handler; -SIGINT when Python, having printed our line, still ends itself by
    # the signal because it arrived while the interpreter was starting up.
    assert process.returncode in (130, -signal.SIGINT), (out, err)
    assert err.endswith("mnist-tui: interrupted\n") and "Traceback" not in err


@pytest.fixture
def config_with_a_new_field(monkeypatch):
    """TrainConfig with one more field, declared the way a contributor would add one."""
    from dataclasses import dataclass

    import core.config
    import tui.cli.config_flags

    @dataclass(frozen=True)
    class Extended(core.config.TrainConfig):
        warmup: int = core.config.setting(0, "epochs of warm-up", bounds=(0, 10))

    monkeypatch.setattr(core.config, "TrainConfig", Extended)
    monkeypatch.setattr(tui.cli.config_flags, "TrainConfig", Extended)
    return Extended


def test_a_new_config_field_is_a_flag_with_help_range_and_default(config_with_a_new_field, capsys):
    from tui.cli.config_flags import config_from_args
    from tui.cli.parser import build_parser

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "--warmup N" in capsys.readouterr().out
    config = config_from_args(build_parser().parse_args(["train", "--headless", "--warmup", "3"]))
    assert config.warmup == 3 and config.to_dict()["warmup"] == 3  # and so in checkpoints
    with pytest.raises(SystemExit):
        main(["train", "--headless", "--warmup", "11"])
    assert "argument --warmup: must be a whole number in 0..10" in capsys.readouterr().err


async def test_a_new_config_field_is_in_the_train_form(config_with_a_new_field):
    from textual.widgets import Input

    from tests.tui_helpers import open_train_screen
    from tui.app import MnistApp
    from tui.state import Options
    from tui.widgets.train.form import TrainForm

    start = config_with_a_new_field(dataset="synthetic", warmup=2)
    async with MnistApp(Options(start)).run_test(size=(120, 40)) as pilot:
        screen = await open_train_screen(pilot)
        field = screen.query_one("#field-warmup", Input)
        assert field.value == "2"
        field.value = "4"
        assert screen.query_one(TrainForm).config().warmup == 4


def help_text(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse's wrapping undone


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        ([], ["--epochs N passes over the training split (default: 5)", "(default: mnist)"]),
        ([], ["--theme NAME", "(default: the one chosen last time)"]),
        (["train"], ["(default: 0.001)", "--no-record do not record the run (default: recorded)"]),
        (["sweep"], ["--epochs LIST|MIN:MAX[:log] passes over the training split (default: 5)"]),
        (["serve"], ["(default: 127.0.0.1)", "--port PORT (default: 8000)", "(default: 64)"]),
        (["bench"], ["(default: 1)", "(default: the run store's folder, as"]),
    ],
)
def test_help_shows_the_defaults(capsys, argv, shown):
    text = help_text(capsys, argv)
    for piece in shown:
        assert piece in text


def test_every_option_with_a_value_names_its_default(capsys):
    """Each option of the app, `train`, `serve` and `bench` that takes a value says its default."""
    from tui.cli.parser import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them only here
    for argv, owner in [([], parser)] + [([c], commands[c]) for c in ("train", "serve", "bench")]:
        for action in owner._actions:
            if action.nargs == 0 or not action.option_strings or action.dest == "help":
                continue
            assert "default:" in (action.help or ""), (argv, action.option_strings)


def test_a_theme_is_one_of_textuals(capsys):
    from tui.cli.parser import build_parser

    assert build_parser().parse_args(["--theme", "nord"]).theme == "nord"
    with pytest.raises(SystemExit) as exit_:
        main(["--theme", "neon"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: argument --theme: unknown theme 'neon' (one of textual-dark,")
    assert err.count("\n") == 1


def test_the_command_line_starts_without_textual_torch_or_the_web_server():
    """A mistyped flag is refused at once; these are imported only by the command needing them."""
    import subprocess
    import sys

    from tests.datasets import ROOT

    check = (
        "import sys, tui.cli\n"
        "heavy = ('textual', 'torch', 'textual_serve', 'aiohttp')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_screen_names_are_the_apps_modes_in_key_order():
    from tui.app import MnistApp
    from tui.cli.parser import SCREENS

    assert tuple(MnistApp.MODES) == SCREENS


@pytest.mark.parametrize(
    ("argv", "mode"),
    [
        ([], "browse"),
        (["--screen", "runs"], "runs"),
        (["--checkpoint", "run.pt"], "evaluate"),
        (["--checkpoint", "run.pt", "--screen", "train"], "train"),  # named wins
        (["train"], "train"),
        (["lesson"], "lesson"),
    ],
)
def test_the_screen_the_app_opens_on(argv, mode):
    from tui.cli.open_app import start_mode
    from tui.cli.parser import build_parser

    assert start_mode(build_parser().parse_args(argv)) == mode


async def test_the_app_opens_on_the_screen_named():
    from tests.tui_helpers import make_app
    from tui.screens.runs import RunsScreen

    app = make_app(start_mode="runs")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)


def test_an_unknown_screen_is_refused_naming_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--screen", "plots"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--screen" in error and "'plots'" in error and "lesson" in error


def every_command(parser, path=("mnist-tui",)):
    """(path, parser) for the parser and each subcommand below it, depth first."""
    import argparse

    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from every_command(sub, (*path, name))


def test_every_commands_help_opens_with_a_description_and_explains_each_argument():
    for path, parser in every_command(build_parser()):
        command = " ".join(path)
        assert parser.description, f"`{command} --help` has no description line"
        for action in parser._actions:
            if action.dest in ("help", "command", "runs_command"):
                continue
            assert action.help and action.help != "as above", (command, action.dest)


@pytest.mark.parametrize(
    ("argv", "pointed_at"),
    [
        (["runs", "show", "ab12", "cd34"], "mnist-tui runs show --help"),
        (["train", "--headless", "--bogus"], "mnist-tui train --help"),
        (["--bogus"], "mnist-tui --help"),
    ],
)
def test_words_a_command_does_not_take_point_at_that_commands_help(capsys, argv, pointed_at):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("mnist-tui: unrecognized arguments: ") and err.count("\n") == 1
    assert err.endswith(f"(see {pointed_at})\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["runs", "list", "--limit", "-1"], "argument --limit: must be a whole number in 1.."),
        (["runs", "list", "--limit", "0"], "argument --limit: must be a whole number in 1.."),
        (["runs", "list", "--limit", "99999999999999999999"], "argument --limit: must be a whole"),
        (["train", "--headless", "--resume", ""], "argument --resume: must not be empty"),
        (["train", "--headless", "--save", " "], "argument --save: must not be empty"),
        (["train", "--headless", "--metrics", ""], "argument --metrics: must not be empty"),
        (["train", "--headless", "--data-dir", ""], "argument --data-dir: must not be empty"),
        (["runs", "show", ""], "argument id: must not be empty"),
        (["runs", "rm", "ab12", ""], "argument ID: must not be empty"),
        (["runs", "list", "--runs", ""], "argument --runs: must not be empty"),
        (["--runs", ""], "argument --runs: must not be empty"),
        (["sweep", "--lr", "1e-3,1e-2", "--name", ""], "argument --name: must not be empty"),
    ],
)  # fmt: skip
def test_numbers_and_empty_values_are_refused_at_the_flag(capsys, runs_folder, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"mnist-tui: {message}")
    assert not runs_folder.exists()  # refused before any store was opened


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_gives_the_terminal_back_as_quitting_does(signum, runs_folder):
    import termios

    pid, fd = spawn_on_terminal(["--dataset", "synthetic"], columns=80, rows=24)
    try:
        assert b"Browse" in read_until_closed(fd, until=b"Browse")
        os.kill(pid, signum)
        after = read_until_closed(fd)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signum  # ended by it, as asked
        assert b"\x1b[?1049l" in after  # left the alternate screen
        local_modes = termios.tcgetattr(fd)[3]
        assert local_modes & termios.ECHO and local_modes & termios.ICANON  # typing shows again
    finally:
        os.close(fd)


def test_python_m_tui_from_a_folder_with_its_own_core_package_runs_ours(tmp_path):
    import subprocess
    import sys

    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "__init__.py").write_text("raise ImportError('not our core')")
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("mnist-tui ")
