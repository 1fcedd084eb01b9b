"""One flag per TrainConfig field, read from the field's typed Setting, and the recipe they make."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any

from core.config import ConfigError, Setting, TrainConfig, settings
from tui.cli.common import PROG, fail, non_empty


def number_parser(setting: Setting):
    """An argparse type that refuses anything outside the field's range, naming the range."""

    def parse(text: str) -> int | float:
        try:
            return setting.parse(text)
        except ConfigError:
            raise argparse.ArgumentTypeError(
                f"must be {setting.range_text()}, got {text!r}"
            ) from None

    parse.__name__ = setting.name  # argparse names the type in some messages
    return parse


def add_config_arguments(
    parser: argparse._ActionsContainer, *, headless: bool, exclude: tuple[str, ...] = ()
) -> None:
    """One flag per TrainConfig field; only the flags given land in the namespace."""
    for setting in settings():
        if setting.name in exclude or (setting.headless_only and not headless):
            continue
        if setting.kind is bool:
            parser.add_argument(
                setting.off_flag,
                dest=setting.name,
                action="store_false",
                default=argparse.SUPPRESS,
                help=f"turn off: {setting.help} (default: on)",
            )
            continue
        default = setting.default
        help_text = setting.help + ("" if default is None else f" (default: {default})")
        options: dict[str, Any] = {"default": argparse.SUPPRESS, "help": help_text}
        if setting.choices:
            options["choices"] = setting.choices
        elif setting.kind is str:  # a folder or a name: "" would mean "here"
            options["type"] = non_empty
        elif setting.bounds:
            options["type"] = number_parser(setting)
            options["metavar"] = "N" if setting.kind is int else "X"
        if setting.metavar:
            options["metavar"] = setting.metavar
        parser.add_argument(setting.flag, **options)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The recipe, with the fields given on the command line replaced."""
    names = {setting.name for setting in settings()}
    given = {name: value for name, value in vars(args).items() if name in names}
    cores = os.cpu_count() or 1
    if given.get("threads", 0) > cores:
        print(
            f"{PROG}: note: --threads {given['threads']} is more than the {cores} cores here; "
            f"using {cores}",
            file=sys.stderr,
        )
        given["threads"] = cores
    return dataclasses.replace(TrainConfig(), **given)


def checked_config(args: argparse.Namespace) -> TrainConfig | None:
    """The flags' TrainConfig, or None once the reason it cannot be built is printed."""

    try:
        return config_from_args(args)
    except ConfigError as err:
        fail(str(err))
        return None
