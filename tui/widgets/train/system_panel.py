"""CPU, memory and GPU while the app trains, with a short history of each as a sparkline."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from textual import work
from textual.timer import Timer
from textual.widgets import Static

from core.system import SystemSample, SystemSampler, sparkline

SAMPLE_EVERY_S = 1.0  # psutil and NVML take well under a millisecond: the UI thread can ask
HISTORY = 24  # samples kept for the sparklines: the last 24 seconds


def gigabytes(mb: float) -> str:
    return f"{mb / 1024:.1f}"


class SystemPanel(Static):
    """Samples once a second on a timer; `compact` folds it into two lines for 80x24."""

    DEFAULT_CSS = """
    SystemPanel { height: 4; padding: 0 1; }
    SystemPanel.-compact { height: 2; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.sampler: SystemSampler | None = None
        self.samples: deque[SystemSample] = deque(maxlen=HISTORY)
        self.torch_peak_mb: float | None = None  # from the run's last EpochEnd, on CUDA
        self._timer: Timer | None = None
        self.frozen = False  # by a test: fixed samples, no sampling

    def on_mount(self) -> None:
        self.open_sampler()

    @work(thread=True, exclusive=True, group="system-sampler", exit_on_error=False)
    def open_sampler(self) -> None:
        """nvmlInit can take a second on a GPU machine: not on the UI thread."""
        sampler = SystemSampler()
        self.app.call_from_thread(self.start_sampling, sampler)

    def start_sampling(self, sampler: SystemSampler) -> None:
        if not self.is_attached or self.frozen:
            sampler.close()
            return
        self.sampler = sampler
        self.take_sample()
        self._timer = self.set_interval(SAMPLE_EVERY_S, self.take_sample)

    def on_unmount(self) -> None:
        if self.sampler is not None:
            self.sampler.close()

    def take_sample(self) -> None:
        if self.sampler is not None:
            self.samples.append(self.sampler.sample())
            self.draw()

    def freeze(self, samples: list[SystemSample]) -> None:
        """Stop sampling and show these: snapshots must not depend on the machine's load."""
        self.frozen = True  # the sampler may still be opening: it must not start then
        if self._timer is not None:
            self._timer.stop()
        self.samples = deque(samples, maxlen=HISTORY)
        self.draw()

    def set_torch_peak(self, peak_mb: float | None) -> None:
        self.torch_peak_mb = peak_mb
        self.draw()

    def draw(self) -> None:
        if self.samples and self.screen.is_active:  # covered: drawn again on resume
            # The panel's height is fixed by CSS: a repaint, never a layout pass.
            self.update("\n".join(self.lines()), layout=False)

    def lines(self) -> list[str]:
        now = self.samples[-1]
        width = self.content_size.width or 34  # 34 until the first layout gives it a size
        cpu = [s.cpu_percent for s in self.samples]
        memory = f"{gigabytes(now.memory_used_mb)}/{gigabytes(now.memory_total_mb)} GB"
        app = f"app {now.process_rss_mb:,.0f} MB"
        gpu = now.gpu
        if self.has_class("-compact"):
            return self.compact_lines(now, width, cpu)
        label = 9  # "CPU  34% " before each sparkline
        lines = [
            f"CPU {now.cpu_percent:3.0f}% {sparkline(cpu[-max(1, width - label) :])}",
            f"RAM {memory} · {app}",
        ]
        if gpu is None:
            return [*lines, now.gpu_problem or "no NVIDIA GPU"]
        util = [(s.gpu.util_percent or 0.0) if s.gpu else 0.0 for s in self.samples]
        head = f"GPU {percent(gpu.util_percent)}"
        if gpu.temperature_c is not None:
            head += f" {gpu.temperature_c:.0f}°C"
        used = f"{gigabytes(gpu.memory_used_mb)}/{gigabytes(gpu.memory_total_mb)} GB"
        # torch's own peak beside what every process holds; shorter wording where it is long.
        peak = memory_amount(self.torch_peak_mb) if self.torch_peak_mb else None
        peak_piece = (f"torch peak {peak}", f"peak {peak}") if peak else None
        return [
            *lines,
            f"{head} {sparkline(util[-max(1, width - len(head) - 1) :])}",
            fitted([f"VRAM {used}", peak_piece], width, " · "),
        ]

    def compact_lines(self, now: SystemSample, width: int, cpu: list[float]) -> list[str]:
        """Two lines for 80x24: what does not fit is left out, never wrapped. On a GPU the
        temperature is the first thing left out, before torch's peak and the memory."""
        memory = f"RAM {gigabytes(now.memory_used_mb)}/{gigabytes(now.memory_total_mb)}G"
        app = f"app {now.process_rss_mb:.0f}M"
        gpu = now.gpu
        if gpu is None:
            first, second = [f"CPU {now.cpu_percent:.0f}%", memory], [app, "·", now.gpu_problem]
        else:
            used = f"{gigabytes(gpu.memory_used_mb)}/{gigabytes(gpu.memory_total_mb)}G"
            temp = f"{gpu.temperature_c:.0f}°C" if gpu.temperature_c is not None else None
            peak_mb = self.torch_peak_mb
            peak = f"peak {memory_amount(peak_mb, short=True)}" if peak_mb else None
            first = [f"CPU {now.cpu_percent:.0f}%", memory, app]
            second = [f"GPU {percent(gpu.util_percent).strip()}", used, peak, temp]
        head = fitted(first, width)
        room = width - len(head) - 1
        return [f"{head} {sparkline(cpu[-room:])}" if room > 0 else head, fitted(second, width)]


def memory_amount(mb: float, short: bool = False) -> str:
    """Megabytes below a gigabyte, gigabytes above: "184 MB", "1.2 GB" ("184M", "1.2G")."""
    if mb < 1024:
        return f"{mb:.0f}M" if short else f"{mb:.0f} MB"
    return f"{mb / 1024:.1f}G" if short else f"{mb / 1024:.1f} GB"


def percent(value: float | None) -> str:
    return " n/a" if value is None else f"{value:3.0f}%"


def fitted(pieces: Sequence[str | tuple[str, ...] | None], width: int, sep: str = " ") -> str:
    """The pieces joined by `sep`, as many from the left as fit in `width`. A tuple offers a
    piece's wordings, longest first: the first that fits is taken."""
    line = ""
    for piece in pieces:
        if piece is None:
            continue
        for wording in (piece,) if isinstance(piece, str) else piece:
            longer = f"{line}{sep}{wording}" if line else wording
            if len(longer) <= width:
                line = longer
                break
        else:
            break
    return line
