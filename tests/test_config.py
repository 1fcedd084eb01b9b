"""TrainConfig: the notebook's recipe by default, and a clear one-line error for every bad field."""

import math
import os
import re
from dataclasses import FrozenInstanceError

import pytest

import core.config
from core.config import ConfigError, TrainConfig, default_threads, setting_named, settings


def test_defaults_are_the_notebooks_recipe():
    config = TrainConfig()
    assert (config.epochs, config.batch_size, config.lr, config.optimizer, config.hidden) == (
        5,
        64,
        1e-3,
        "rmsprop",
        512,
    )
    assert (config.device, config.loader) == ("auto", "device")


def test_default_threads_leave_one_core_free_but_never_fewer_than_one(monkeypatch):
    assert TrainConfig().threads == default_threads() == max(1, (os.cpu_count() or 1) - 1)
    monkeypatch.setattr(core.config.os, "cpu_count", lambda: 1)
    assert default_threads() == 1
    monkeypatch.setattr(core.config.os, "cpu_count", lambda: 8)
    assert default_threads() == 7


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lr", 0.0, "lr must be a finite number > 0"),
        ("lr", -1e-3, "lr must be a finite number > 0"),
        ("lr", math.nan, "lr must be a finite number > 0"),
        ("lr", math.inf, "lr must be a finite number > 0"),
        ("batch_size", 0, "batch_size must be a whole number in 1..60000, got 0"),
        ("epochs", 0, "epochs must be a whole number in 1..1000, got 0"),
        ("epochs", 1001, "epochs must be a whole number in 1..1000, got 1001"),
        ("hidden", 0, "hidden must be a whole number in 1..16384"),
        ("hidden", 2**63, "hidden must be a whole number in 1..16384"),
        ("threads", 0, "threads must be a whole number in 1..4096"),
        ("epochs", 2.5, "epochs must be a whole number in 1..1000, got 2.5"),
        ("epochs", True, "epochs must be a whole number in 1..1000, got True"),
        ("seed", -1, "seed must be a whole number in 0..9223372036854775807, got -1"),
        ("seed", 2**64, "seed must be a whole number in 0..9223372036854775807"),
        ("seed", 1e30, "seed must be a whole number in 0..9223372036854775807, got 1e+30"),
        ("cuda_graph", "yes", "cuda_graph must be true or false, got 'yes'"),
        ("optimizer", "lbfgs", "unknown optimizer 'lbfgs'; choose one of rmsprop, sgd, adam"),
        ("device", "tpu", "unknown device 'tpu'; choose one of auto, cpu, cuda"),
        ("loader", "ffcv", "unknown loader 'ffcv'"),
        ("dataset", "cifar", "unknown dataset 'cifar'"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_the_field(field, value, message):
    with pytest.raises(ConfigError, match="^" + re.escape(message)) as caught:
        TrainConfig(**{field: value})
    assert "\n" not in str(caught.value)


def test_cuda_asked_for_on_a_machine_without_it_is_refused_when_resolved(monkeypatch):
    monkeypatch.setattr(core.config, "cuda_available", lambda: False)
    config = TrainConfig(device="cuda")  # building a config never imports torch
    with pytest.raises(ConfigError, match="no CUDA GPU is available"):
        config.resolved_device()


def test_auto_device_resolves_to_cuda_only_when_present(monkeypatch):
    monkeypatch.setattr(core.config, "cuda_available", lambda: False)
    assert TrainConfig().resolved_device() == "cpu"
    monkeypatch.setattr(core.config, "cuda_available", lambda: True)
    assert TrainConfig().resolved_device() == "cuda"
    assert TrainConfig(device="cpu").resolved_device() == "cpu"


def test_config_is_frozen():
    with pytest.raises(FrozenInstanceError):
        TrainConfig().lr = 1.0


def test_dict_round_trip_ignores_keys_from_other_versions():
    config = TrainConfig(dataset="fashion", epochs=2, lr=0.01, threads=1)
    assert TrainConfig.from_dict({**config.to_dict(), "retired_field": 1}) == config


def test_every_field_says_what_it_is_for():
    for setting in settings():
        assert setting.help, f"{setting.name} has no help text"
        if setting.kind in (int, float):
            assert setting.bounds, f"{setting.name} has no bounds"


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("epochs", "7", 7),
        ("lr", "3e-4", 3e-4),
        ("cuda_graph", "off", False),
        ("optimizer", "adam", "adam"),
    ],
)
def test_a_setting_parses_a_typed_word_as_its_field_does(name, text, value):
    setting = setting_named(name)
    assert setting is not None
    assert setting.parse(text) == value


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("epochs", "1.5", "'1.5' is not a whole number"),
        ("epochs", "0", "epochs must be a whole number in 1..1000, got 0"),
        ("lr", "nan", "lr must be a finite number > 0, got nan"),
        ("cuda_graph", "maybe", "'maybe' is neither true nor false"),
        ("optimizer", "lbfgs", "unknown optimizer 'lbfgs'; choose one of rmsprop, sgd, adam"),
    ],
)
def test_a_setting_refuses_a_word_naming_what_it_takes(name, text, message):
    setting = setting_named(name)
    assert setting is not None
    with pytest.raises(ConfigError) as refused:
        setting.parse(text)
    assert str(refused.value) == message


def test_a_recorded_data_folder_counts_only_on_a_machine_that_has_it(tmp_path):
    from core.config import data_dir_here

    assert data_dir_here({"data_dir": str(tmp_path)}) == str(tmp_path)
    assert data_dir_here({"data_dir": str(tmp_path / "on-another-host")}) is None
    assert data_dir_here({"data_dir": None}) is None and data_dir_here({}) is None
