"""``Tracker``: logs parameters, artifacts and metrics of one trial component.

``log_metric`` appends a ``(step, time, value)`` tuple to the writer's buffer for the series
and returns: no lock, no SQL and no thread wake-up on the caller's thread. Points become
durable at the next flush (at least every second), on ``close()``/context exit, on
``trialbook.flush()`` and at exit.
"""

from __future__ import annotations

import mimetypes
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from trialbook import events, provenance, values
from trialbook.component import TrialComponent, validate_kind
from trialbook.errors import TrialbookError, ValidationError
from trialbook.kernel.display import Chart, component_bundle
from trialbook.names import (
    create_with_generated_name,
    generate_name,
    validate_key,
    validate_name,
)
from trialbook.status import TrialStatus
from trialbook.store import (
    ArtifactRecord,
    ComponentRecord,
    MetricPoint,
    Store,
    metric_writer,
    open_store,
    register_exit_hook,
)
from trialbook.store.writer import MetricWriter
from trialbook.system_metrics import SystemMetricsSampler

_open_trackers: weakref.WeakSet[Tracker] = weakref.WeakSet()
_open_lock = threading.Lock()
_MIN_STEP, _MAX_STEP = values.INT64


class Tracker:
    """Logs to one trial component; a context manager that sets its status."""

    def __init__(self, record: ComponentRecord, store: Store, writer: MetricWriter) -> None:
        self.trial_component_name = record.name
        self.display_name = record.display_name
        self._store = store
        self._writer = writer
        self._counts: dict[str, int] = {name: s.count for name, s in record.metrics.items()}
        self._buffers: dict[str, list[MetricPoint]] = {}  # the writer's, per metric
        self._live_buffers_of: events.LiveBuffers | None = None
        self._live_buffers: dict[str, list[MetricPoint]] = {}  # a live view's, per metric
        self._live = False
        self._closed = False
        self._system_metrics: SystemMetricsSampler | None = None

    # -- creation --------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        base_trial_component_name: str = "TrialComponent",
        *,
        display_name: str | None = None,
        kind: str | None = None,
        tags: Any = None,
        system_metrics: bool | float = False,
    ) -> Tracker:
        """A new component ``<base>-<UTC timestamp>-<random>``, InProgress from now on.

        ``system_metrics=True`` samples CPU, memory, I/O and GPUs every 10 s in a background
        thread (a number is the interval in seconds); see ``trialbook.system_metrics``.
        """
        base = validate_name(base_trial_component_name, "base_trial_component_name")
        return create_with_generated_name(
            lambda name: cls._start(
                name,
                display_name=display_name,
                kind=kind,
                tags=tags,
                system_metrics=system_metrics,
            ),
            lambda: generate_name(base),
        )

    @classmethod
    def _start(
        cls,
        name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Any = None,
        system_metrics: bool | float = False,
    ) -> Tracker:
        store = open_store()
        record = store.create_component(
            name,
            display_name=values.text(display_name, "display_name"),
            kind=validate_kind(kind),
            tags=values.tags(tags),
            provenance=provenance.capture(),
            status=TrialStatus.IN_PROGRESS.value,
            start_time=time.time(),
        )
        return cls.started(record, store, system_metrics=system_metrics)

    @classmethod
    def started(
        cls,
        record: ComponentRecord,
        store: Store,
        *,
        writer: MetricWriter | None = None,
        system_metrics: bool | float = False,
    ) -> Tracker:
        """The live tracker of a component just created InProgress (here or by
        ``exp.run``, which passes the store's writer): heartbeats, the live bridge and, when
        asked, system metrics."""
        tracker = cls(record, store, writer or metric_writer())
        tracker._go_live()
        tracker._system_metrics = SystemMetricsSampler.start_for(tracker, system_metrics)
        return tracker

    @classmethod
    def load(cls, trial_component_name: str) -> Tracker:
        """A tracker for an existing component (its status is left as it is)."""
        record = open_store().get_component(
            validate_name(trial_component_name, "trial_component_name")
        )
        return cls(record, open_store(), metric_writer())

    def _go_live(self) -> None:
        if not self._live:
            self._live = True
            self._closed = False
            self._writer.add_live(self.trial_component_name)
            with _open_lock:
                _open_trackers.add(self)

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> Tracker:
        if not self._live:
            self._store.update_component(
                self.trial_component_name,
                status=TrialStatus.IN_PROGRESS.value,
                status_message=None,
                end_time=None,
                start_time=time.time(),
            )
            self._go_live()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._finish(TrialStatus.COMPLETED, None)
        elif issubclass(exc_type, KeyboardInterrupt):
            self._finish(TrialStatus.STOPPED, "Stopped by KeyboardInterrupt")
        else:
            message = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
            self._finish(TrialStatus.FAILED, message[:10_000])

    def close(
        self,
        *,
        status: TrialStatus | str = TrialStatus.COMPLETED,
        status_message: str | None = None,
    ) -> None:
        """Flush and mark the component Completed, or ``status`` (if still InProgress here)."""
        final = next((known for known in TrialStatus if known.value == status), None)
        if final not in (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.STOPPED):
            raise ValidationError(
                f"close(status=...) takes 'Completed', 'Failed' or 'Stopped', got {status!r}"
            )
        self._finish(final, status_message)

    def _finish(self, status: TrialStatus, message: str | None) -> None:
        if self._system_metrics is not None:
            self._system_metrics.stop()  # its last sample lands in this flush
            self._system_metrics = None
        if not self._live:
            self._writer.flush()
        else:  # the last points and the closing status in one transaction
            self._writer.flush_and_finish(
                self.trial_component_name,
                status=status.value,
                status_message=message,
                end_time=time.time(),
            )
            self._live = False
            self._writer.remove_live(self.trial_component_name)
            with _open_lock:
                _open_trackers.discard(self)
        self._release_buffers()
        self._closed = True

    # -- metrics ---------------------------------------------------------------------------
    def log_metric(
        self,
        metric_name: str,
        value: Any,
        timestamp: Any = None,
        iteration_number: Any = None,
        *,
        step: Any = None,
    ) -> None:
        """Record one point; ``step`` defaults to the metric's point count (NaN/±inf kept).

        Checked on the caller's thread, cheaply: a number (not a bool) that fits a float, an
        integer step within 64 bits, a finite timestamp. Past the writer's bound for a series,
        this waits while the buffered points are written (backpressure) rather than grow
        memory.
        """
        try:
            buffer = self._buffers.get(metric_name)
        except TypeError:  # an unhashable name: refused by _open_series
            buffer = None
        if buffer is None:
            buffer = self._open_series(metric_name)
        if type(value) is not float:
            value = values.metric_value(metric_name, value)
        if step is not None:
            if iteration_number is not None and iteration_number != step:
                raise ValidationError("give step or iteration_number, not both")
            iteration_number = step
        counts = self._counts
        count = counts[metric_name]
        if iteration_number is None:
            iteration_number = count
        elif type(iteration_number) is not int or not _MIN_STEP <= iteration_number <= _MAX_STEP:
            iteration_number = values.step(iteration_number)
        if timestamp is None:
            timestamp = time.time()
        elif type(timestamp) is not float or timestamp - timestamp != 0.0:  # NaN or ±inf
            timestamp = values.epoch_seconds(timestamp)
        counts[metric_name] = count + 1
        point = (iteration_number, timestamp, value)
        buffer.append(point)
        writer = self._writer
        if len(buffer) >= writer.series_limit:
            writer.wait_for_room(buffer)
        live = events.live
        if live is not None:  # a live view is attached (the kernel bridge)
            if self._live_buffers_of is not live:
                self._live_buffers_of, self._live_buffers = live, {}
            live_buffer = self._live_buffers.get(metric_name)
            if live_buffer is None:
                live_buffer = self._live_buffers[metric_name] = live.series(
                    self.trial_component_name, metric_name
                )
            live_buffer.append(point)
        if not writer.running:
            writer.start()

    def _open_series(self, metric_name: str) -> list[MetricPoint]:
        """The writer's buffer for a metric this tracker has not logged since it opened."""
        self._check_open()
        if not isinstance(metric_name, str) or metric_name not in self._counts:
            if (
                not isinstance(metric_name, str)
                or validate_key(metric_name, "metric_name") != metric_name
            ):
                raise ValidationError(
                    f"metric_name {metric_name!r} must be a string without surrounding whitespace"
                )
            self._counts[metric_name] = 0
        buffer = self._buffers[metric_name] = self._writer.series_buffer(
            self.trial_component_name, metric_name
        )
        return buffer

    def _check_open(self) -> None:
        if self._closed:
            raise TrialbookError(
                f"The tracker of component {self.trial_component_name!r} is closed: it logs "
                "nothing more. Re-enter it (`with tracker:`) to continue this component, or "
                "create a new tracker."
            )

    def _release_buffers(self) -> None:
        """Let the writer forget this tracker's drained buffers (a later point re-registers)."""
        names, self._buffers = list(self._buffers), {}
        if names:
            self._writer.release([(self.trial_component_name, name) for name in names])

    def log_metrics(
        self, metrics: Mapping[str, Any], step: Any = None, *, timestamp: Any = None
    ) -> None:
        """Log several metrics at one step (and one wall time)."""
        if not isinstance(metrics, Mapping):
            raise ValidationError(f"log_metrics takes a dict of name → value, got {metrics!r}")
        when = time.time() if timestamp is None else values.epoch_seconds(timestamp)
        for name, value in metrics.items():
            self.log_metric(name, value, when, step)

    # -- parameters ------------------------------------------------------------------------
    def log_parameter(self, name: str, value: Any) -> None:
        self.log_parameters({name: value})

    def log_parameters(self, parameters: Mapping[str, Any]) -> None:
        """Number, string or bool values; re-logging a name overwrites it."""
        self._check_open()
        self._store.set_parameters(
            self.trial_component_name, values.parameters(parameters), replace=False
        )

    # -- artifacts -------------------------------------------------------------------------
    def log_input(self, name: str, value: str, media_type: str | None = None) -> ArtifactRecord:
        return self._log_value("input", name, value, media_type)

    def log_output(self, name: str, value: str, media_type: str | None = None) -> ArtifactRecord:
        return self._log_value("output", name, value, media_type)

    def _log_value(
        self, direction: str, name: str, value: Any, media_type: str | None
    ) -> ArtifactRecord:
        self._check_open()
        if not isinstance(value, str) or not value:
            raise ValidationError(
                f"the {direction} {name!r} value must be a non-empty string (a URI or a path), "
                f"got {value!r}; use log_artifact to copy a file"
            )
        return self._store.put_artifact(
            self.trial_component_name,
            direction=direction,  # type: ignore[arg-type]
            name=validate_key(name, f"{direction} name"),
            value=values.text(value, "value") or "",
            media_type=values.text(media_type, "media_type"),
        )

    def log_artifact(
        self, file_path: str | Path, name: str | None = None, media_type: str | None = None
    ) -> ArtifactRecord:
        """Copy a file into the artifact store as an output artifact (named after the file)."""
        return self._log_file("output", file_path, name, media_type)

    def log_output_artifact(
        self, file_path: str | Path, name: str | None = None, media_type: str | None = None
    ) -> ArtifactRecord:
        return self._log_file("output", file_path, name, media_type)

    def log_input_artifact(
        self, file_path: str | Path, name: str | None = None, media_type: str | None = None
    ) -> ArtifactRecord:
        return self._log_file("input", file_path, name, media_type)

    def log_artifacts(
        self, directory: str | Path, media_type: str | None = None
    ) -> list[ArtifactRecord]:
        """Log every file directly inside ``directory`` as an output artifact."""
        folder = Path(directory)
        if not folder.is_dir():
            raise ValidationError(
                f"log_artifacts needs an existing directory, got {str(directory)!r}"
            )
        return [
            self._log_file("output", path, None, media_type)
            for path in sorted(folder.iterdir())
            if path.is_file()
        ]

    def _log_file(
        self, direction: str, file_path: str | Path, name: str | None, media_type: str | None
    ) -> ArtifactRecord:
        self._check_open()
        path = Path(file_path)
        if not path.is_file():
            raise ValidationError(
                f"artifact file {str(file_path)!r} does not exist (or is not a file); check the "
                "path, relative to the working directory, or use log_input/log_output for a URI"
            )
        relative, sha256, size = self._store.import_artifact_file(path)
        guessed = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        stored = (self._store.artifact_root / relative).absolute()
        return self._store.put_artifact(
            self.trial_component_name,
            direction=direction,  # type: ignore[arg-type]
            name=validate_key(name if name is not None else path.name, "artifact name"),
            value=stored.as_uri(),
            media_type=guessed,
            sha256=sha256,
            size=size,
            path=relative,
        )

    # -- views -----------------------------------------------------------------------------
    @property
    def trial_component(self) -> TrialComponent:
        """The component as stored now (pending metric points flushed first)."""
        self._writer.flush()
        return TrialComponent(self._store.get_component(self.trial_component_name))

    def plot(
        self, metric_name: str, *, x: str = "step", smoothing: float = 0.0, log_y: bool = False
    ) -> Chart:
        """A chart of ``metric_name`` for this tracker's component, growing live."""
        return Chart(
            metric_name,
            owner_kind="component",
            owners=[self.trial_component_name],
            experiment=None,
            x=x,
            smoothing=smoothing,
            log_y=log_y,
            title=f"{self.display_name or self.trial_component_name}",
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        self._writer.flush()
        return component_bundle(self.trial_component, live=not self._closed)

    def __repr__(self) -> str:
        state = "open" if self._live else "closed" if self._closed else "loaded"
        return f"Tracker(trial_component_name={self.trial_component_name!r}, {state})"


def _close_open_trackers() -> None:
    """At exit: a tracker never closed ends Completed in a script, Stopped in a kernel."""
    in_kernel = "ipykernel" in sys.modules
    with _open_lock:
        trackers = list(_open_trackers)
    for tracker in trackers:
        if in_kernel:
            tracker._finish(TrialStatus.STOPPED, "The kernel shut down while the tracker was open")
        else:
            tracker._finish(TrialStatus.COMPLETED, None)


register_exit_hook(_close_open_trackers)
