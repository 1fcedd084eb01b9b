"""core.system on this machine: real psutil readings, and NVML's absence said in words."""

from __future__ import annotations

import subprocess
import sys

from core.system import SystemSample, SystemSampler, sparkline, visible_gpu_index


def test_a_sample_reads_this_process_and_the_machine():
    sampler = SystemSampler()
    try:
        sample = sampler.sample()
        second = sampler.sample()
    finally:
        sampler.close()
    assert isinstance(sample, SystemSample)
    assert sample.process_rss_mb > 10  # a Python process with numpy and psutil loaded
    assert 0 < sample.memory_used_mb <= sample.memory_total_mb
    assert sample.process_rss_mb <= sample.memory_total_mb
    assert 0 <= second.cpu_percent <= 100


def test_without_a_gpu_the_gpu_fields_are_none_and_the_reason_is_one_line():
    sampler = SystemSampler()
    try:
        sample = sampler.sample()
    finally:
        sampler.close()
    if sample.gpu is None:
        assert sample.gpu_problem and "\n" not in sample.gpu_problem
    else:  # a machine with a driver: NVML's numbers are in range (no utilisation under MIG)
        assert sample.gpu.util_percent is None or 0 <= sample.gpu.util_percent <= 100
        assert 0 < sample.gpu.memory_used_mb <= sample.gpu.memory_total_mb


def test_a_gpu_index_past_the_last_device_is_no_gpu_not_an_error():
    sampler = SystemSampler(gpu_index=999)
    try:
        sample = sampler.sample()
    finally:
        sampler.close()
    assert sample.gpu is None and "no NVIDIA GPU" in sample.gpu_problem


def test_sparkline_scales_percentages_to_eight_levels():
    assert sparkline([0, 50, 100, 250, -5]) == "▁▅██▁"
    assert sparkline([]) == ""


def test_core_system_does_not_import_textual():
    code = "import sys, core.system; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_gpu_watched_is_the_first_one_cuda_may_use(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,1")
    assert visible_gpu_index() == 3
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-8f2e0c1a")  # a UUID: NVML's first
    assert visible_gpu_index() == 0
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert visible_gpu_index() == 0
