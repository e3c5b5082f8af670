"""The test cluster behind TLS and HTTP basic auth (``tests/cluster/run tls-up``: nginx in front of each
node, certificates from a throwaway CA, a writer and a read-only user): a verified certificate, a wrong
CA, a wrong password and a read-only user, through the CLI.

Skipped unless the proxy runs (``run tls-info`` answers; ``SEARCHKIT_CLUSTER_RUN`` names the checkout
that started it, as for the fault tests).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_engine import cli, index_name, live, many_seeds  # noqa: E402, F401 (index_name: a fixture)

RUN = Path(os.environ.get("SEARCHKIT_CLUSTER_RUN") or REPO / "tests" / "cluster" / "run")


@pytest.fixture(scope="module")
def tls() -> dict[str, Any]:
    done = subprocess.run([str(RUN), "tls-info"], capture_output=True, text=True, timeout=60) \
        if RUN.exists() else None
    if done is None or done.returncode != 0:
        pytest.skip("the TLS proxy of the test cluster is not running (tests/cluster/run tls-up)")
    info: dict[str, Any] = json.loads(done.stdout)
    return info


def env_of(tls: dict[str, Any], who: str = "writer", *, ca: str = "ca", password: str | None = None) -> dict:
    user = tls["users"][who]
    return {"SEARCHKIT_OPENSEARCH_USER": user["user"],
            "SEARCHKIT_OPENSEARCH_PASSWORD": password if password is not None else user["password"],
            "SEARCHKIT_OPENSEARCH_CA_CERTS": tls[ca], "SEARCHKIT_OPENSEARCH_INSECURE": ""}


def index_args(tmp_path: Path, tls: dict[str, Any], name: str) -> list[str]:
    return ["index", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index"), "--engine",
            "opensearch", "--url", ",".join(tls["urls"]), "--index-name", name]


@live
def test_a_verified_certificate_and_the_right_password_index_and_search(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 30)
    done = cli(*index_args(tmp_path, tls, index_name), env=env_of(tls))
    assert done.exit_code == 0, done.output
    found = cli("query", "--index", str(tmp_path / "index"), "--json", "gold", env=env_of(tls))
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["total"] == 30


@live
def test_a_wrong_ca_is_one_line_naming_the_urls(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 3)
    done = cli(*index_args(tmp_path, tls, index_name), env=env_of(tls, ca="other_ca"))
    assert done.exit_code == 2
    [line] = done.output.strip().splitlines()
    assert line.startswith("error: cannot reach the search cluster at ") and "TLS failed" in line
    assert all(url in line for url in tls["urls"])


@live
def test_a_wrong_password_is_one_line_naming_the_url_not_the_password(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 3)
    wrong = "not-the-Pa55word-" + tls["users"]["writer"]["password"][:4]
    done = cli(*index_args(tmp_path, tls, index_name), env=env_of(tls, password=wrong))
    assert done.exit_code == 2
    [line] = done.output.strip().splitlines()
    assert "(HTTP 401): authentication failed" in line and tls["urls"][0] in line
    assert wrong not in line and tls["users"]["writer"]["password"] not in line


@live
def test_a_read_only_user_searches_but_indexing_is_refused_clearly(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 10)
    assert cli(*index_args(tmp_path, tls, index_name), env=env_of(tls)).exit_code == 0
    reader = env_of(tls, "reader")
    found = cli("query", "--index", str(tmp_path / "index"), "--json", "gold", env=reader)
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["total"] == 10
    write_seed(tmp_path / "seeds", "wire/new", "2020-02-02", "Gold again", "Gold rose again.")
    done = cli("index", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index"), env=reader)
    assert done.exit_code == 2
    [line] = done.output.strip().splitlines()
    assert "(HTTP 403): not allowed for this user" in line and "User [name=reader]" in line
    # Its first write is the writer's lease, in the cluster's state index.
    assert "searchkit-state" in line and tls["users"]["reader"]["password"] not in line
    again = cli("query", "--index", str(tmp_path / "index"), "--json", "gold", env=reader)
    assert json.loads(again.output)["total"] == 10


@live
def test_a_follower_with_the_read_only_user_answers_as_the_writers_host(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 10)
    assert cli(*index_args(tmp_path, tls, index_name), env=env_of(tls)).exit_code == 0
    reader = env_of(tls, "reader")
    mine = cli("query", "--index", str(tmp_path / "index"), "--json", "gold", env=reader)
    theirs = cli("query", "--index", str(tmp_path / "app"), "--url", ",".join(tls["urls"]), "--index-name",
                 index_name, "--json", "gold", env=reader)
    assert theirs.exit_code == 0, theirs.output
    assert theirs.output == mine.output


@live
def test_a_read_only_follower_lists_the_saved_searches_but_cannot_save_one(tmp_path, tls, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 10)
    assert cli(*index_args(tmp_path, tls, index_name), env=env_of(tls)).exit_code == 0
    writer_folder = str(tmp_path / "index")
    assert cli("alert", "add", "gold", "gold", "--index", writer_folder, env=env_of(tls)).exit_code == 0
    follow_args = ["--index", str(tmp_path / "app"), "--url", ",".join(tls["urls"]),
                   "--index-name", index_name]
    reader = env_of(tls, "reader")
    listed = cli("alert", "list", "--json", *follow_args, env=reader)
    assert listed.exit_code == 0, listed.output
    assert listed.output == cli("alert", "list", "--json", "--index", writer_folder, env=env_of(tls)).output
    refused = cli("alert", "add", "silver", "silver", *follow_args, env=reader)
    assert refused.exit_code == 2
    [line] = refused.output.strip().splitlines()
    assert "(HTTP 403): not allowed for this user" in line and "searchkit-alerts" in line
    assert cli("alert", "remove", "gold", "--index", writer_folder, env=env_of(tls)).exit_code == 0
