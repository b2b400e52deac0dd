"""The REST payload types are written once per side; keep the two in step."""

import re
import typing
from pathlib import Path

from trialbook.server import payloads
from trialbook.server.handlers import edits
from trialbook.store import TRIAL_FILTER_OPERATORS, TRIAL_FIXED_COLUMNS, TRIAL_METRIC_STATS

TYPES_TS = Path(__file__).parents[2] / "src" / "api" / "types.ts"


def typescript_interface_fields(source: str, name: str) -> set[str]:
    match = re.search(rf"export interface {name}\b([^{{]*){{(.*?)\n}}", source, re.S)
    assert match, f"interface {name} not found in {TYPES_TS}"
    body = re.sub(r"/\*.*?\*/|//[^\n]*", "", match.group(2), flags=re.S)
    fields = set(re.findall(r"^\s*(\w+)\??:", body, re.M))
    parent = re.search(r"extends\s+(\w+)", match.group(1))
    if parent:
        fields |= typescript_interface_fields(source, parent.group(1))
    return fields


PAIRS = [
    ("IObjective", payloads.Objective),
    ("IExperimentSummary", payloads.ExperimentSummary),
    ("IExperimentListResponse", payloads.ExperimentListResponse),
    ("IErrorResponse", payloads.ErrorResponse),
    ("IExperimentDetail", payloads.ExperimentDetail),
    ("IMetricSummary", payloads.MetricSummary),
    ("ITrialRow", payloads.TrialRow),
    ("ITrialColumns", payloads.TrialColumns),
    ("ITrialTableResponse", payloads.TrialTableResponse),
    ("IAllTrialsResponse", payloads.AllTrialsResponse),
    ("IArtifact", payloads.Artifact),
    ("IComponentDetail", payloads.ComponentDetail),
    ("ITrialRef", payloads.TrialRef),
    ("IComponentWithTrials", payloads.ComponentWithTrials),
    ("IComponentListResponse", payloads.ComponentListResponse),
    ("ITrialDetail", payloads.TrialDetail),
    ("IMetricSeries", payloads.MetricSeries),
    ("IMetricSeriesResponse", payloads.MetricSeriesResponse),
    ("IChange", payloads.Change),
    ("IChangesResponse", payloads.ChangesResponse),
    ("IClaim", payloads.Claim),
    ("IComparison", payloads.Comparison),
    ("IEvaluationGroup", payloads.EvaluationGroup),
    ("IEvaluationResponse", payloads.EvaluationResponse),
    ("IGroupMetric", payloads.GroupMetric),
    ("ITrialGroup", payloads.TrialGroup),
    ("ITrialGroupsResponse", payloads.TrialGroupsResponse),
    ("ICoverageSet", payloads.CoverageSet),
    ("ICoverageResponse", payloads.CoverageResponse),
]

#: PATCH bodies: the TypeScript edit interfaces list exactly the fields the server accepts.
EDITS = [
    ("IExperimentEdit", edits.EXPERIMENT_FIELDS),
    ("ITrialEdit", edits.TRIAL_FIELDS),
    ("IComponentEdit", edits.COMPONENT_FIELDS),
]


def test_python_and_typescript_payloads_have_the_same_fields():
    source = TYPES_TS.read_text(encoding="utf-8")
    for interface, typed_dict in PAIRS:
        python_fields = set(typing.get_type_hints(typed_dict))
        assert typescript_interface_fields(source, interface) == python_fields, interface


def test_edit_bodies_have_the_same_fields():
    source = TYPES_TS.read_text(encoding="utf-8")
    for interface, fields in EDITS:
        assert typescript_interface_fields(source, interface) == set(fields), interface


def test_trial_table_vocabulary_matches():
    source = TYPES_TS.read_text(encoding="utf-8")
    operators = re.search(r"TrialFilterOperator =(.*?);", source, re.S).group(1)
    assert tuple(re.findall(r"'(\w+)'", operators)) == TRIAL_FILTER_OPERATORS
    stats = re.search(r"MetricStat =(.*?);", source, re.S).group(1)
    assert tuple(re.findall(r"'(\w+)'", stats)) == TRIAL_METRIC_STATS
    columns = re.search(r"TrialColumnId =(.*?);", source, re.S).group(1)
    assert tuple(re.findall(r"'(\w+)'", columns)) == TRIAL_FIXED_COLUMNS


def test_api_and_status_lists_match():
    source = TYPES_TS.read_text(encoding="utf-8")
    assert f"API_VERSION = {payloads.API_VERSION};" in source
    statuses = re.search(r"STATUSES: readonly Status\[\] = \[(.*?)\]", source, re.S).group(1)
    assert tuple(re.findall(r"'(\w+)'", statuses)) == payloads.STATUSES


def test_non_finite_numbers_travel_as_strings():
    text = payloads.dumps({"values": [float("nan"), float("inf"), -float("inf"), 1.5]})
    assert text == '{"values":["NaN","Infinity","-Infinity",1.5]}'
