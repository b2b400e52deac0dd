"""The kernel side of the live bridge: announce what this process writes on comm `trialbook`.

Two sources feed it: the store's change listener (every committed write of this process:
creations, statuses, parameters, artifacts, associations, deletions) and the point tap on
`Tracker.log_metric` (points before they are durable). A timer thread — never the training
thread — sends everything new at most `SEND_INTERVAL` apart, to each comm whose frontend
said hello. See docs/protocol.md.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from trialbook import __version__, events
from trialbook.kernel import protocol
from trialbook.store import Change, Store, metric_writer, open_store
from trialbook.wire import json_safe

log = logging.getLogger("trialbook")

#: Seconds between two batches carrying new points (~15 a second per comm) …
SEND_INTERVAL = 0.066
#: … and the least time between any two batches (≤ 20 a second).
MIN_GAP = 0.05


class KernelBridge:
    """One per kernel process. Thread-safe: comm handlers may run on another thread."""

    def __init__(self, create_comm: Callable[..., Any]) -> None:
        self.session = uuid.uuid4().hex
        self._create_comm = create_comm
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._comms: dict[str, Any] = {}  # comm id → comm
        self._streaming: set[str] = set()  # comm ids whose frontend said hello
        self._opened_once = False
        self._seq = 0
        self._changes: list[Change] = []
        self._components: dict[str, _Membership] = {}  # what this process wrote
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        return open_store()

    def on_frontend_open(self, comm: Any, open_msg: dict[str, Any]) -> None:
        """A frontend opened comm `trialbook` (after a page reload, or a new tab)."""
        self._add_comm(comm)
        self.on_frontend_message(comm, open_msg)

    # -- inputs ------------------------------------------------------------------------------
    def on_changes(self, changes: list[Change]) -> None:
        """Runs on the writing thread: remember, queue, never read the store here."""
        with self._lock:
            for change in changes:
                self._remember(change)
            if self._streaming:
                self._changes.extend(changes)
            open_now = not self._comms and not self._opened_once
            self._opened_once = True
        if open_now:
            self._open_comm()
        self._wake.set()

    def on_frontend_message(self, comm: Any, msg: dict[str, Any]) -> None:
        data = (msg.get("content") or {}).get("data") or {}
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "hello":
            if data.get("protocol") != protocol.PROTOCOL_VERSION:
                self._send_error(comm, protocol.version_mismatch(data.get("protocol")))
                return
            with self._lock:
                self._streaming.add(comm.comm_id)
                if events.live is None:
                    events.set_live(events.LiveBuffers())
            self._ensure_thread()
            comm.send(self._hello())
            comm.send(*self._snapshot())
        elif kind == "snapshot_request":
            comm.send(*self._snapshot())
        elif msg.get("content") is not None:
            self._send_error(
                comm,
                f"Unknown message {protocol.quote(data)}: expected a hello or snapshot_request.",
            )

    def _send_error(self, comm: Any, message: str) -> None:
        comm.send({"type": "error", "session": self.session, "message": message})

    # -- comms -------------------------------------------------------------------------------
    def _open_comm(self) -> None:
        """Open a comm on first use; a frontend without Trialbook closes it at once."""
        try:
            comm = self._create_comm(target_name=protocol.TARGET_NAME, data=self._hello())
        except Exception:
            log.debug("Could not open the trialbook comm", exc_info=True)
            return
        self._add_comm(comm)

    def _add_comm(self, comm: Any) -> None:
        with self._lock:
            self._comms[comm.comm_id] = comm
        comm.on_msg(lambda msg: self.on_frontend_message(comm, msg))
        comm.on_close(lambda msg: self._remove_comm(comm))

    def _remove_comm(self, comm: Any) -> None:
        with self._lock:
            self._comms.pop(comm.comm_id, None)
            self._streaming.discard(comm.comm_id)
            if not self._streaming:
                events.set_live(None)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="trialbook-bridge", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        # Points wait for the next tick; a status change or a new trial wakes the thread at
        # once, but never more often than MIN_GAP apart (at most ~20 batches a second).
        while True:
            self._wake.wait(SEND_INTERVAL)
            self._wake.clear()
            started = time.monotonic()
            try:
                self.send_pending()
            except Exception:
                log.exception("The trialbook bridge failed to send an update")
            rest = MIN_GAP - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)

    def send_pending(self) -> None:
        """Send one batch with everything new to every streaming comm."""
        live = events.live
        with self._lock:
            changes, self._changes = self._changes, []
        drained = live.drain() if live is not None else []
        if not (changes or drained):
            return
        batch_events = [event for change in changes for event in self._events_of(change)]
        buffers: list[bytes] = []
        batch_events.extend(self._metric_events(drained, buffers))
        with self._lock:
            if not self._streaming:
                return
            self._seq += 1
            batch: protocol.BatchMessage = {
                "type": "batch",
                "session": self.session,
                "seq": self._seq,
                "events": batch_events,
            }
            comms = [self._comms[comm_id] for comm_id in self._streaming if comm_id in self._comms]
        message = json_safe(batch)
        for comm in comms:
            comm.send(message, buffers=buffers)

    # -- messages ----------------------------------------------------------------------------
    def _hello(self) -> protocol.HelloMessage:
        return {
            "type": "hello",
            "protocol": protocol.PROTOCOL_VERSION,
            "session": self.session,
            "seq": self._seq,
            "library_version": __version__,
            "store": _describe(self.store),
        }

    def _snapshot(self) -> tuple[dict[str, Any], None, list[bytes]]:
        """The components this process wrote, each with the last point of every metric."""
        metric_writer().flush()  # so the latest points are in the store
        with self._lock:
            names = list(self._components)
            seq = self._seq
        buffers: list[bytes] = []
        live: list[protocol.LiveComponent] = []
        for name in names:
            try:
                record = self.store.get_component(name)
            except LookupError:
                continue
            latest = {
                metric: _pack(
                    [
                        (
                            summary.last_step or 0,
                            summary.last_time or 0.0,
                            summary.last if summary.last is not None else math.nan,
                        )
                    ],
                    buffers,
                )
                for metric, summary in record.metrics.items()
                if summary.count
            }
            live.append(
                {
                    **self._membership(name),  # type: ignore[typeddict-item]
                    "trials": list(record.trial_names),
                    "status": str(record.status or ""),
                    "latest": latest,
                }
            )
        snapshot = {"type": "snapshot", "session": self.session, "seq": seq, "components": live}
        return json_safe(snapshot), None, buffers

    def _metric_events(
        self, drained: list[tuple[str, str, list[events.Point]]], buffers: list[bytes]
    ) -> list[protocol.MetricsEvent]:
        by_component: dict[str, dict[str, protocol.MetricSeriesDelta]] = {}
        for component, metric, points in drained:
            by_component.setdefault(component, {})[metric] = _pack(points, buffers)
        return [
            {"kind": "metrics", "series": series, **self._membership(component)}  # type: ignore[typeddict-item]
            for component, series in by_component.items()
        ]

    def _remember(self, change: Change) -> None:
        """Track the components this process wrote and the trials they belong to."""
        if change.entity_type == "component":
            if change.kind == "deleted":
                self._components.pop(change.entity_name, None)
                return
            membership = self._components.setdefault(change.entity_name, _Membership())
            if "trials" in change.payload:
                membership.trials = list(change.payload["trials"])
                membership.experiments = list(change.payload.get("experiments") or [])
        elif change.kind in ("trial.component_added", "trial.component_removed"):
            component = str(change.payload.get("component", ""))
            self._components.setdefault(component, _Membership()).update(
                change.entity_name,
                change.experiment_name or "",
                added=change.kind.endswith("added"),
            )

    def _membership(self, component: str) -> dict[str, Any]:
        with self._lock:
            membership = self._components.get(component) or _Membership()
            return {
                "component": component,
                "trials": list(membership.trials),
                "experiments": list(membership.experiments),
            }

    def _events_of(self, change: Change) -> list[protocol.Event]:
        """Protocol events for one committed change row (on the bridge thread)."""
        kind, name, payload = change.kind, change.entity_name, change.payload
        action = "deleted" if kind == "deleted" else kind.split(".")[-1]
        if change.entity_type == "experiment":
            return [{"kind": "experiment", "action": action, "experiment": name}]  # type: ignore[list-item]
        if change.entity_type == "trial":
            if kind in ("trial.component_added", "trial.component_removed"):
                associated = "associated" if kind.endswith("added") else "disassociated"
                common = self._membership(str(payload.get("component", "")))
                return [{"kind": "component", "action": associated, **common}]  # type: ignore[list-item]
            experiment = change.experiment_name or ""
            return [{"kind": "trial", "action": action, "experiment": experiment, "trial": name}]  # type: ignore[list-item]
        if change.entity_type != "component":
            return []
        common = self._membership(name)
        if kind == "deleted":
            return [{"kind": "component", "action": "deleted", **common}]  # type: ignore[list-item]
        try:
            record = self.store.get_component(name)
        except LookupError:  # deleted since
            return []
        if kind in ("component.created", "component.updated"):
            announced: list[protocol.Event] = [{"kind": "component", "action": action, **common}]  # type: ignore[list-item]
            if kind == "component.created" and payload.get("status"):
                announced.append(self._status_event(record, payload, common))
            return announced
        if kind == "component.status":
            return [self._status_event(record, payload, common)]
        if kind == "parameters.logged":
            wanted = set(payload.get("names") or record.parameters)
            parameters = {k: v for k, v in record.parameters.items() if k in wanted}
            return [{"kind": "parameters", "parameters": parameters, **common}]  # type: ignore[list-item]
        if kind == "artifact.logged":
            direction = payload.get("direction", "output")
            artifacts = record.input_artifacts if direction == "input" else record.output_artifacts
            artifact = artifacts.get(str(payload.get("name")))
            if artifact is None:
                return []
            return [
                {
                    "kind": "artifact",
                    "direction": direction,
                    "name": artifact.name,
                    "media_type": artifact.media_type,
                    "value": artifact.value,
                    **common,  # type: ignore[typeddict-item]
                }
            ]
        return []

    def _status_event(
        self, record: Any, payload: dict[str, Any], common: dict[str, Any]
    ) -> protocol.StatusEvent:
        """The status the change set (several may share one batch), not the current one."""
        status = str(payload.get("status") or record.status or "")
        final = status == record.status
        return {
            "kind": "status",
            "status": status,
            "status_message": record.status_message if final else None,
            "start_time": record.start_time,
            "end_time": record.end_time if final else None,
            **common,  # type: ignore[typeddict-item]
        }


class _Membership:
    """The trials and experiments a component belongs to, as far as this process knows."""

    def __init__(self) -> None:
        self.trials: list[str] = []
        self.experiments: list[str] = []

    def update(self, trial: str, experiment: str, *, added: bool) -> None:
        if added:
            if trial not in self.trials:
                self.trials = [*self.trials, trial]
            if experiment and experiment not in self.experiments:
                self.experiments = [*self.experiments, experiment]
        else:
            self.trials = [t for t in self.trials if t != trial]


_STEP, _TIME, _VALUE = itemgetter(0), itemgetter(1), itemgetter(2)


def _pack(points: Sequence[events.Point], buffers: list[bytes]) -> protocol.MetricSeriesDelta:
    """Columns of points as little-endian float64 buffers (NaN and ±inf travel as they are).

    Binary buffers skip ipykernel's per-element JSON cleaning, so a batch of 100,000 points
    costs the kernel microseconds of Python, not a tenth of a second.
    """
    first = len(buffers)
    for column in (_STEP, _TIME, _VALUE):
        packed = array("d", map(column, points))
        if sys.byteorder != "little":
            packed.byteswap()
        buffers.append(packed.tobytes())
    return {"count": len(points), "steps": first, "times": first + 1, "values": first + 2}


def _describe(store: Store) -> str:
    location = getattr(store, "location", None)
    return location.describe() if location is not None else type(store).__name__
