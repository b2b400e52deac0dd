"""System metrics: CPU, memory, disk and network I/O and GPUs, sampled off the training thread.

``Tracker.create(..., system_metrics=True)`` and ``exp.run(..., system_metrics=True)`` start a
daemon thread that wakes every ``interval`` seconds (10 by default; pass a number instead of
``True`` to choose it), reads the counters through psutil (and NVIDIA's NVML through
``nvidia-ml-py`` when a GPU is present) and logs them as ``system.*`` metrics of the tracker's
component. The training thread does nothing: the sampler only appends points to the tracker's
buffers, as ``log_metric`` does. psutil and NVML are imported when sampling starts, never by
``import trialbook``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from trialbook.errors import ValidationError

if TYPE_CHECKING:
    from trialbook.tracker import Tracker

DEFAULT_INTERVAL = 10.0
PREFIX = "system."
MB = 1024 * 1024

logger = logging.getLogger("trialbook.system_metrics")
_said_why_no_gpu = False  # the "no GPU metrics" line is said once per process


def interval_of(setting: bool | float) -> float | None:
    """``False`` → off, ``True`` → the default interval, a positive number → that interval."""
    if setting is False or setting is None:
        return None
    if setting is True:
        return DEFAULT_INTERVAL
    if isinstance(setting, (int, float)) and setting > 0:
        return float(setting)
    raise ValidationError(
        f"system_metrics must be True, False or an interval in seconds (> 0), got {setting!r}"
    )


class SystemMetricsSampler:
    """A background thread logging ``system.*`` metrics to one tracker until stopped."""

    def __init__(self, tracker: Tracker, interval: float) -> None:
        import psutil

        self.tracker = tracker
        self.interval = interval
        self._psutil = psutil
        self._process = psutil.Process()
        self._process.cpu_percent(None)  # the first call only primes the counter
        self._last_time = time.monotonic()
        self._last_disk = psutil.disk_io_counters()
        self._last_network = psutil.net_io_counters()
        self._gpus = _open_gpus()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="trialbook-system-metrics", daemon=True
        )

    @classmethod
    def start_for(cls, tracker: Tracker, setting: bool | float) -> SystemMetricsSampler | None:
        interval = interval_of(setting)
        if interval is None:
            return None
        sampler = cls(tracker, interval)
        sampler._thread.start()
        return sampler

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._log_sample()

    def stop(self) -> None:
        """Stop the thread and log a last sample (a run shorter than the interval gets one)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._log_sample()
        _close_gpus(self._gpus)
        self._gpus = []

    def _log_sample(self) -> None:
        try:
            sample = self.sample()
        except Exception as error:  # a counter vanished (container, hot-unplug): keep training
            logger.warning("Trialbook could not read system metrics: %s", error)
            return
        when = time.time()
        for name, value in sample.items():
            self.tracker.log_metric(name, value, when)

    def sample(self) -> dict[str, float]:
        """One reading of every counter; rates are averaged since the previous reading."""
        psutil = self._psutil
        now = time.monotonic()
        elapsed = max(now - self._last_time, 1e-9)
        self._last_time = now
        with self._process.oneshot():
            cpu = self._process.cpu_percent(None)
            rss = self._process.memory_info().rss
        memory = psutil.virtual_memory()
        sample = {
            f"{PREFIX}cpu_percent": cpu,
            f"{PREFIX}rss_mb": rss / MB,
            f"{PREFIX}memory_percent": memory.percent,
            f"{PREFIX}memory_used_mb": (memory.total - memory.available) / MB,
            f"{PREFIX}memory_available_mb": memory.available / MB,
        }
        disk = psutil.disk_io_counters()
        if disk is not None and self._last_disk is not None:
            sample[f"{PREFIX}disk_read_mb_s"] = _rate(
                disk.read_bytes, self._last_disk.read_bytes, elapsed
            )
            sample[f"{PREFIX}disk_write_mb_s"] = _rate(
                disk.write_bytes, self._last_disk.write_bytes, elapsed
            )
        self._last_disk = disk
        network = psutil.net_io_counters()
        if network is not None and self._last_network is not None:
            sample[f"{PREFIX}network_sent_mb_s"] = _rate(
                network.bytes_sent, self._last_network.bytes_sent, elapsed
            )
            sample[f"{PREFIX}network_received_mb_s"] = _rate(
                network.bytes_recv, self._last_network.bytes_recv, elapsed
            )
        self._last_network = network
        for index, handle in enumerate(self._gpus):
            sample.update(_gpu_sample(index, handle))
        return sample


def _rate(current: int, previous: int, elapsed: float) -> float:
    return max(current - previous, 0) / MB / elapsed


# -- GPUs through NVML (nvidia-ml-py) ------------------------------------------------------
def _open_gpus() -> list[Any]:
    """NVML handles of every GPU, or [] with one info line saying why none is sampled."""
    try:
        import pynvml
    except ImportError:
        _no_gpu("nvidia-ml-py is not installed")
        return []
    try:
        pynvml.nvmlInit()
        count = pynvml.nvmlDeviceGetCount()
    except pynvml.NVMLError as error:
        _no_gpu(f"no NVIDIA driver: {error}")
        return []
    if count == 0:
        _no_gpu("NVML sees no GPU")
        pynvml.nvmlShutdown()
        return []
    return [pynvml.nvmlDeviceGetHandleByIndex(index) for index in range(count)]


def _no_gpu(reason: str) -> None:
    global _said_why_no_gpu
    if not _said_why_no_gpu:
        _said_why_no_gpu = True
        logger.info("Trialbook system metrics: no GPU metrics (%s)", reason)


def _gpu_sample(index: int, handle: Any) -> dict[str, float]:
    import pynvml

    prefix = f"{PREFIX}gpu{index}."
    readings: dict[str, float] = {}
    probes = {
        "utilization_percent": lambda: pynvml.nvmlDeviceGetUtilizationRates(handle).gpu,
        "memory_used_mb": lambda: pynvml.nvmlDeviceGetMemoryInfo(handle).used / MB,
        "memory_percent": lambda: _memory_percent(pynvml.nvmlDeviceGetMemoryInfo(handle)),
        "temperature_c": lambda: pynvml.nvmlDeviceGetTemperature(
            handle, pynvml.NVML_TEMPERATURE_GPU
        ),
        "power_w": lambda: pynvml.nvmlDeviceGetPowerUsage(handle) / 1000,
    }
    for name, probe in probes.items():
        try:  # some boards do not report every reading (no power sensor, MIG slices)
            readings[prefix + name] = float(probe())
        except pynvml.NVMLError:
            continue
    return readings


def _memory_percent(memory: Any) -> float:
    return 100.0 * memory.used / memory.total if memory.total else 0.0


def _close_gpus(handles: list[Any]) -> None:
    if handles:
        import pynvml

        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()
