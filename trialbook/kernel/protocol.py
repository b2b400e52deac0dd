"""The comm protocol between the kernel library and the JupyterLab frontend.

Mirrored by `src/kernel/protocol.ts`; documented in `docs/protocol.md`; a test keeps
the two sides in step. Bump `PROTOCOL_VERSION` with any incompatible change.

Every kernel→frontend message carries the kernel's `session` (a fresh id per kernel
process) and a `seq` that grows by one per batch: a frontend that sees a gap (Jupyter
Server drops messages past its iopub rate limit) refetches over REST.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

PROTOCOL_VERSION = 1
TARGET_NAME = "trialbook"
QUOTE_LIMIT = 200  # characters of a bad frontend message quoted back in an error


def version_mismatch(frontend_protocol: Any) -> str:
    """The `error` answer to a frontend `hello` for another protocol (docs/protocol.md)."""
    return (
        f"Protocol mismatch: this kernel's trialbook speaks comm protocol {PROTOCOL_VERSION}, "
        f"the page sent a hello for protocol {quote(frontend_protocol, 40)}. Upgrade the older "
        "side (the trialbook package in the kernel's environment, or the JupyterLab "
        "extension); until then the panel works over REST and the change feed only."
    )


def quote(data: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(data)`` cut to ``limit`` characters: an error never echoes a huge message."""
    try:
        text = repr(data)
    except Exception:
        return f"<unprintable {type(data).__name__}>"
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


# -- kernel → frontend ----------------------------------------------------------------------
class HelloMessage(TypedDict):
    type: Literal["hello"]
    protocol: int
    session: str
    seq: int  # the last batch sent; the next batch is seq + 1
    library_version: str
    store: str  # where this kernel writes, for display


class ExperimentEvent(TypedDict):
    kind: Literal["experiment"]
    action: Literal["created", "updated", "deleted"]
    experiment: str


class TrialEvent(TypedDict):
    kind: Literal["trial"]
    action: Literal["created", "updated", "deleted"]
    experiment: str
    trial: str


class ComponentEvent(TypedDict):
    kind: Literal["component"]
    action: Literal["created", "updated", "deleted", "associated", "disassociated"]
    component: str
    trials: list[str]
    experiments: list[str]


class StatusEvent(TypedDict):
    kind: Literal["status"]
    component: str
    trials: list[str]
    experiments: list[str]
    status: str
    status_message: str | None
    start_time: float | None  # epoch seconds
    end_time: float | None


class ParametersEvent(TypedDict):
    kind: Literal["parameters"]
    component: str
    trials: list[str]
    experiments: list[str]
    parameters: dict[str, float | int | str | bool]


class MetricSeriesDelta(TypedDict):
    """New points of one metric: indices into the message's binary buffers.

    Each buffer holds `count` little-endian float64 values (steps, epoch-second wall times,
    values; NaN and ±inf as IEEE 754 has them).
    """

    count: int
    steps: int
    times: int
    values: int


class MetricsEvent(TypedDict):
    kind: Literal["metrics"]
    component: str
    trials: list[str]
    experiments: list[str]
    series: dict[str, MetricSeriesDelta]


class ArtifactEvent(TypedDict):
    kind: Literal["artifact"]
    component: str
    trials: list[str]
    experiments: list[str]
    direction: Literal["input", "output"]
    name: str
    media_type: str | None
    value: str


Event = (
    ExperimentEvent
    | TrialEvent
    | ComponentEvent
    | StatusEvent
    | ParametersEvent
    | MetricsEvent
    | ArtifactEvent
)


class BatchMessage(TypedDict):
    type: Literal["batch"]
    session: str
    seq: int
    events: list[Event]


class LiveComponent(TypedDict):
    """What a snapshot says of a component this kernel wrote."""

    component: str
    trials: list[str]
    experiments: list[str]
    status: str
    latest: dict[str, MetricSeriesDelta]  # the most recent points of each metric


class SnapshotMessage(TypedDict):
    type: Literal["snapshot"]
    session: str
    seq: int
    components: list[LiveComponent]


class ErrorMessage(TypedDict):
    type: Literal["error"]
    session: str
    message: str


# -- frontend → kernel ----------------------------------------------------------------------
class FrontendHello(TypedDict):
    type: Literal["hello"]
    protocol: int


class SnapshotRequest(TypedDict):
    type: Literal["snapshot_request"]
