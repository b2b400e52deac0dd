"""Artifacts: metadata, and content that never runs script on the Jupyter origin."""

import os

import pytest

import trialbook
from trialbook.store import open_store

HTML = b"<html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def logged(tmp_path):
    files = {"report.html": HTML, "plot.svg": SVG, "curve.png": PNG, "rows.csv": b"a,b\n1,2\n"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    with trialbook.Tracker.create("artifacts") as tracker:
        records = {name: tracker.log_artifact(tmp_path / name) for name in files}
        records["uri"] = tracker.log_output("model", "s3://bucket/model.tar.gz")
    return records


async def test_metadata(api, logged):
    record = logged["curve.png"]

    response = await api("GET", "artifacts", record.id)

    assert response.code == 200
    body = response.body
    assert body["name"] == "curve.png" and body["direction"] == "output"
    assert body["media_type"] == "image/png" and body["inert"] is True
    assert body["has_file"] is True and body["size"] == len(PNG)
    assert body["component_name"] == record.component_name


@pytest.mark.parametrize("name", ["report.html", "plot.svg"])
async def test_active_content_is_an_attachment_in_a_sandbox(api, logged, name):
    response = await api("GET", "artifacts", logged[name].id, "content")

    assert response.code == 200
    assert response.raw == (HTML if name == "report.html" else SVG)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert name in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize("name", ["curve.png", "rows.csv"])
async def test_inert_content_is_inline_still_sandboxed(api, logged, name):
    response = await api("GET", "artifacts", logged[name].id, "content")

    assert response.code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Type"].split(";")[0] in ("image/png", "text/csv")


async def test_html_declared_as_an_image_is_not_sniffed(api, tmp_path):
    (tmp_path / "evil.png").write_bytes(HTML)
    with trialbook.Tracker.create("liar") as tracker:
        record = tracker.log_artifact(tmp_path / "evil.png", media_type="image/png")

    response = await api("GET", "artifacts", record.id, "content")

    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_uri_artifact_has_no_content(api, logged):
    record = logged["uri"]
    assert (await api("GET", "artifacts", record.id)).body["has_file"] is False

    response = await api("GET", "artifacts", record.id, "content")

    assert response.code == 404
    assert "s3://bucket/model.tar.gz" in response.body["message"]


async def test_paths_outside_the_artifact_root_are_refused(api, tmp_path):
    store = open_store()
    secret = tmp_path / "secret.txt"
    secret.write_text("token=abc")
    store.artifact_root.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, store.artifact_root / "link.txt")
    with trialbook.Tracker.create("escape") as tracker:
        name = tracker.trial_component_name
    traversal = store.put_artifact(
        name,
        direction="output",
        name="up",
        value="x",
        media_type="text/plain",
        path="../../secret.txt",
    )
    absolute = store.put_artifact(
        name,
        direction="output",
        name="abs",
        value="x",
        media_type="text/plain",
        path=str(secret),
    )
    symlink = store.put_artifact(
        name,
        direction="output",
        name="link",
        value="x",
        media_type="text/plain",
        path="link.txt",
    )

    for record in (traversal, absolute, symlink):
        response = await api("GET", "artifacts", record.id, "content")
        assert response.code == 404, record.name
        assert b"token" not in response.raw


async def test_unknown_and_malformed_ids(api):
    assert (await api("GET", "artifacts", 999)).code == 404
    assert (await api("GET", "artifacts", 999, "content")).code == 404
    bad = await api("GET", "artifacts", "../etc")
    assert bad.code in (400, 404)
    malformed = await api("GET", "artifacts", "abc")
    assert malformed.code == 400 and "'id'" in malformed.body["message"]
