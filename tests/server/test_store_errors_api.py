"""A store file that cannot be used answers 503 with a JSON error naming the file."""

import sqlite3

import pytest

from trialbook.store import reset_store_cache


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
async def test_a_file_that_is_not_a_database_answers_a_json_error_naming_it(api, store_path):
    reset_store_cache()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.write_bytes(b"not a database at all " * 200)

    response = await api("GET", "experiments")

    assert response.headers["Content-Type"].startswith("application/json")
    assert response.code == 503
    message = response.body["message"]
    assert message.startswith(f"The file {store_path} is not a Trialbook store")
    assert "TRIALBOOK_STORE" in message


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
async def test_a_database_of_another_program_answers_a_json_error_naming_it(api, store_path):
    reset_store_cache()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.unlink(missing_ok=True)
    with sqlite3.connect(store_path) as other:
        other.execute("CREATE TABLE experiments (id INTEGER)")

    response = await api("GET", "experiments")

    assert response.headers["Content-Type"].startswith("application/json")
    assert response.code == 503
    assert "SQLite database of another program (tables experiments)" in response.body["message"]
