"""GET / PATCH / DELETE one experiment, trial or component over REST."""

import trialbook

HYPOTHESIS = "Warmup helps"


def make_experiment(name="exp"):
    exp = trialbook.Experiment.create(
        name,
        hypothesis=HYPOTHESIS,
        objective={"metric": "acc", "goal": "maximize"},
        variables={"lr": [0.1, 0.01]},
    )
    with exp.run(variables={"lr": 0.1}) as tracker:
        tracker.log_metric("acc", 0.5)
    return exp


async def test_experiment_detail_has_objective_and_variable_space(api):
    make_experiment()

    response = await api("GET", "experiments", "exp")

    assert response.code == 200
    body = response.body
    assert body["hypothesis"] == HYPOTHESIS
    assert body["objective"]["metric"] == "acc"
    assert set(body["variables"]) == {"lr"}
    assert body["trial_count"] == 1
    assert body["status"] == "Completed"


async def test_unknown_experiment_is_a_json_404_naming_it(api):
    make_experiment("resnet-baseline")

    response = await api("GET", "experiments", "resnet-baselin")

    assert response.code == 404
    assert "resnet-baselin" in response.body["message"]
    assert "resnet-baseline" in response.body["message"]  # the close match


async def test_patch_experiment_description_tags_and_notes(api):
    make_experiment()

    response = await api(
        "PATCH",
        "experiments",
        "exp",
        body={"description": "new", "tags": {"team": "vision"}, "notes": "<b>not html</b>"},
    )

    assert response.code == 200
    assert response.body["tags"] == {"team": "vision"}
    loaded = trialbook.Experiment.load("exp")
    assert loaded.description == "new"
    assert loaded.tags == {"team": "vision"}


async def test_patch_accepts_sagemaker_tag_lists(api):
    make_experiment()

    response = await api(
        "PATCH", "experiments", "exp", body={"tags": [{"Key": "team", "Value": "nlp"}]}
    )

    assert response.body["tags"] == {"team": "nlp"}


async def test_patch_refuses_bad_bodies_saying_what_is_allowed(api):
    make_experiment()

    not_json = await api("PATCH", "experiments", "exp", body="{oops")
    unknown = await api("PATCH", "experiments", "exp", body={"hypothesis": "changed"})
    not_object = await api("PATCH", "experiments", "exp", body=[1, 2])
    bad_tags = await api("PATCH", "experiments", "exp", body={"tags": {"k": 3}})
    bad_text = await api("PATCH", "experiments", "exp", body={"notes": 7})
    empty = await api("PATCH", "experiments", "exp", body={})

    for response in (not_json, unknown, not_object, bad_tags, bad_text, empty):
        assert response.code == 400, response.raw
    assert "hypothesis" in unknown.body["message"]
    assert "description" in unknown.body["message"]
    assert "'k'" in bad_tags.body["message"]
    assert trialbook.Experiment.load("exp").hypothesis == HYPOTHESIS


async def test_patch_unknown_experiment_is_404(api):
    response = await api("PATCH", "experiments", "missing", body={"notes": "x"})
    assert response.code == 404


async def test_delete_experiment_refuses_while_it_has_trials(api):
    make_experiment()

    refused = await api("DELETE", "experiments", "exp")
    assert refused.code == 409
    assert "force=true" in refused.body["message"]
    assert trialbook.Experiment.load("exp")

    deleted = await api("DELETE", "experiments", "exp", params=[("force", "true")])
    assert deleted.code == 204
    assert (await api("GET", "experiments", "exp")).code == 404
    assert trialbook.Trial.list() == []


async def test_delete_empty_experiment_and_bad_force(api):
    trialbook.Experiment.create("empty", hypothesis=HYPOTHESIS)

    assert (await api("DELETE", "experiments", "empty", params=[("force", "maybe")])).code == 400
    assert (await api("DELETE", "experiments", "empty")).code == 204
    assert (await api("DELETE", "experiments", "empty")).code == 404


async def test_trial_detail_patch_and_delete(api):
    exp = make_experiment()
    (trial,) = exp.list_trials()

    detail = await api("GET", "trials", trial.trial_name)
    assert detail.code == 200
    assert detail.body["experiment_name"] == "exp"
    assert detail.body["status"] == "Completed"
    (component,) = detail.body["components"]
    assert component["metrics"]["acc"]["last"] == 0.5
    assert component["parameters"] == {"lr": 0.1}

    patched = await api("PATCH", "trials", trial.trial_name, body={"notes": "good one"})
    assert patched.code == 200 and patched.body["notes"] == "good one"
    assert (await api("PATCH", "trials", trial.trial_name, body={"description": "x"})).code == 400

    refused = await api("DELETE", "trials", trial.trial_name)
    assert refused.code == 409
    forced = await api("DELETE", "trials", trial.trial_name, params=[("force", "true")])
    assert forced.code == 204
    assert (await api("GET", "trials", trial.trial_name)).code == 404


async def test_components_list_detail_patch_and_delete(api):
    exp = make_experiment()
    (trial,) = exp.list_trials()
    shared = trialbook.TrialComponent.create("dataset-v1", kind="dataset")
    trial.add_trial_component(shared)
    trialbook.TrialComponent.create("loose")

    listed = await api("GET", "components", params=[("trial", trial.trial_name)])
    assert sorted(c["name"] for c in listed.body["components"]) == sorted(
        [f"{trial.trial_name}-training", "dataset-v1"]
    )
    by_experiment = await api("GET", "components", params=[("experiment", "exp")])
    assert len(by_experiment.body["components"]) == 2
    unassigned = await api("GET", "components", params=[("unassigned", "true")])
    assert [c["name"] for c in unassigned.body["components"]] == ["loose"]
    assert (await api("GET", "components", params=[("trial", "nope")])).code == 404

    detail = await api("GET", "components", "dataset-v1")
    assert detail.body["kind"] == "dataset"
    assert detail.body["trials"] == [{"name": trial.trial_name, "experiment_name": "exp"}]

    patched = await api(
        "PATCH", "components", "dataset-v1", body={"display_name": "Dataset", "tags": {"v": "1"}}
    )
    assert patched.body["display_name"] == "Dataset"
    bad_name = await api("PATCH", "components", "dataset-v1", body={"display_name": "a/b"})
    assert bad_name.code == 400 and "/" in bad_name.body["message"]

    assert (await api("DELETE", "components", "dataset-v1")).code == 409
    assert (await api("DELETE", "components", "dataset-v1", params=[("force", "1")])).code == 204
    assert (await api("DELETE", "components", "loose")).code == 204
    assert (await api("GET", "components", "loose")).code == 404
