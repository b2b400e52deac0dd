"""How a stored status reads, as SQL: the one owner of the Interrupted rule.

A component stored InProgress whose heartbeat is older than ``settings.stale_seconds()``
(30 s by default) reads Interrupted: its writer died without closing it. A trial is
InProgress while any of its components is; otherwise it has the status of its most recently
started component (``trialbook.status.experiment_status`` lifts trials to an experiment).
Both are SQL expressions, so the trial table filters and sorts by status in the database.
Each expression comes with its bound parameters (the time now and the staleness threshold).
"""

from __future__ import annotations

from trialbook import settings
from trialbook.status import TrialStatus

_IN_PROGRESS = TrialStatus.IN_PROGRESS.value
_INTERRUPTED = TrialStatus.INTERRUPTED.value


def component_status_sql(now: float, component: str = "c") -> tuple[str, list[float]]:
    """The derived status of component row ``component``, and its parameters."""
    return (
        f"CASE WHEN {component}.status = '{_IN_PROGRESS}' AND ({component}.heartbeat_time IS NULL"
        f" OR ? - {component}.heartbeat_time > ?) THEN '{_INTERRUPTED}'"
        f" ELSE {component}.status END"
    ), [now, settings.stale_seconds()]


def trial_status_sql(now: float, trial: str = "t") -> tuple[str, list[float]]:
    """The derived status of trial row ``trial`` (NULL while no component has a status)."""
    component, parameters = component_status_sql(now, "sc")
    return (
        f"(SELECT d.status FROM (SELECT {component} AS status,"
        " coalesce(sc.start_time, sc.creation_time) AS started, sc.id AS id"
        " FROM trial_components stc JOIN components sc ON sc.id = stc.component_id"
        f" WHERE stc.trial_id = {trial}.id AND sc.status IS NOT NULL) d"
        f" ORDER BY CASE WHEN d.status = '{_IN_PROGRESS}' THEN 0 ELSE 1 END,"
        " d.started DESC, d.id DESC LIMIT 1)"
    ), parameters
