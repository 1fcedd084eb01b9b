"""What the machine is doing while a run trains: CPU, memory and, through NVML, the GPU.

Headless and cheap: one `SystemSampler.sample()` costs well under a millisecond with psutil,
so a once-a-second timer on the UI thread can call it. NVML (the nvidia-ml-py package) is
optional: without the library, a driver or a device, the GPU fields are None and
`gpu_problem` says why in a few words.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import psutil

MB = 1024 * 1024


@dataclass(frozen=True)
class GpuSample:
    name: str
    util_percent: float | None  # share of the last period a kernel ran; None under MIG
    memory_used_mb: float  # by every process on the device, not just this one
    memory_total_mb: float
    temperature_c: float | None  # some devices (and drivers in containers) do not report it


@dataclass(frozen=True)
class SystemSample:
    cpu_percent: float  # whole machine, averaged since the previous sample
    process_rss_mb: float  # this process: the app, the loaded dataset and the model
    memory_used_mb: float  # whole machine
    memory_total_mb: float
    gpu: GpuSample | None = None
    gpu_problem: str | None = None  # why `gpu` is None, e.g. "no NVIDIA GPU"


class SystemSampler:
    """Samples this process and the machine; keeps NVML open between samples."""

    def __init__(self, gpu_index: int | None = None) -> None:
        self.process = psutil.Process()
        # The first cpu_percent call only starts the measuring window (it returns 0.0).
        psutil.cpu_percent(interval=None)
        self.gpu_index = visible_gpu_index() if gpu_index is None else gpu_index
        self._nvml = None
        self._handle = None
        self.gpu_problem: str | None = None
        self._open_nvml()

    def _open_nvml(self) -> None:
        try:
            import pynvml
        except ImportError:
            self.gpu_problem = "no NVIDIA GPU (nvidia-ml-py not installed)"
            return
        try:
            pynvml.nvmlInit()
        except (pynvml.NVMLError, OSError):  # no library or no driver: no NVIDIA GPU here
            self.gpu_problem = "no NVIDIA GPU"
            return
        try:
            if pynvml.nvmlDeviceGetCount() <= self.gpu_index:
                raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_FOUND)
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(self.gpu_index)
        except pynvml.NVMLError:
            pynvml.nvmlShutdown()
            self.gpu_problem = "no NVIDIA GPU"
            return
        self._nvml = pynvml

    def sample(self) -> SystemSample:
        memory = psutil.virtual_memory()
        return SystemSample(
            cpu_percent=psutil.cpu_percent(interval=None),
            process_rss_mb=self.process.memory_info().rss / MB,
            memory_used_mb=(memory.total - memory.available) / MB,
            memory_total_mb=memory.total / MB,
            gpu=self._sample_gpu(),
            gpu_problem=self.gpu_problem,
        )

    def _sample_gpu(self) -> GpuSample | None:
        nvml, handle = self._nvml, self._handle
        if nvml is None:
            return None
        try:
            name = nvml.nvmlDeviceGetName(handle)
            memory = nvml.nvmlDeviceGetMemoryInfo(handle)
        except nvml.NVMLError as error:  # e.g. the GPU fell off the bus: say so, once
            self.gpu_problem = f"GPU unreadable: {error}"
            self.close()
            return None
        try:  # not supported on a MIG slice, where memory still reads
            util = float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        except nvml.NVMLError:
            util = None
        try:
            temperature = float(nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
        except nvml.NVMLError:
            temperature = None
        return GpuSample(
            name=name.decode() if isinstance(name, bytes) else str(name),
            util_percent=util,
            memory_used_mb=memory.used / MB,
            memory_total_mb=memory.total / MB,
            temperature_c=temperature,
        )

    def close(self) -> None:
        if self._nvml is not None:
            with contextlib.suppress(self._nvml.NVMLError):
                self._nvml.nvmlShutdown()
            self._nvml = self._handle = None


SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], top: float = 100.0) -> str:
    """One character per value, scaled against `top` (percentages by default)."""
    last = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[max(0, min(last, round(v / top * last)))] for v in values)


def visible_gpu_index() -> int:
    """The NVML index of the device torch calls cuda:0: the first of CUDA_VISIBLE_DEVICES.

    NVML numbers every device on the machine, ignoring that variable; a UUID or an empty list
    falls back to 0 (torch and NVML may still order devices differently: PCI bus against
    fastest first, unless CUDA_DEVICE_ORDER=PCI_BUS_ID).
    """
    first = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
    return int(first) if first.isdigit() else 0
