"""The backend-neutral store core: the interface, its records and vocabulary, and ``SqlStore``,
which holds the SQL and talks to a backend (``backend.py``) for what differs between engines."""

from trialbook.store.core.backend import Backend, Dialect
from trialbook.store.core.interface import Store
from trialbook.store.core.records import (
    ArtifactRecord,
    Change,
    ComponentRecord,
    Direction,
    ExperimentRecord,
    MetricPoint,
    MetricSummary,
    OwnerKind,
    ParameterValue,
    SeriesKey,
    SeriesPoints,
    TrialFilter,
    TrialQuery,
    TrialRecord,
    TrialTable,
)
from trialbook.store.core.sql_store import SqlStore
from trialbook.store.core.vocabulary import (
    SUMMARY_STATS,
    TRIAL_FILTER_OPERATORS,
    TRIAL_FIXED_COLUMNS,
    TRIAL_METRIC_STATS,
)

__all__ = [
    "SUMMARY_STATS",
    "TRIAL_FILTER_OPERATORS",
    "TRIAL_FIXED_COLUMNS",
    "TRIAL_METRIC_STATS",
    "ArtifactRecord",
    "Backend",
    "Change",
    "ComponentRecord",
    "Dialect",
    "Direction",
    "ExperimentRecord",
    "MetricPoint",
    "MetricSummary",
    "OwnerKind",
    "ParameterValue",
    "SeriesKey",
    "SeriesPoints",
    "SqlStore",
    "Store",
    "TrialFilter",
    "TrialQuery",
    "TrialRecord",
    "TrialTable",
]
