"""Engine fixtures: ``engine`` runs a test on every engine (the reference included), ``real_engine`` on
every engine but the reference (for comparisons with it). Add an engine in harness.ENGINE_NAMES."""

from __future__ import annotations

import pytest

from searchkit.engines.base import Engine

from . import harness
from .harness import ENGINE_NAMES, REAL_ENGINES, load_engine


@pytest.fixture(autouse=True)
def _delete_remote_indexes():
    """A remote engine's indexes are deleted after the test that made them (module fixtures' indexes,
    made before it, at the end of their module), so a cluster does not fill up with test indexes."""
    since = len(harness.CREATED)
    yield
    harness.discard_created(since)


@pytest.fixture(scope="module", autouse=True)
def _delete_module_remote_indexes():
    """A module fixture's indexes go at the end of its module: they are never published, so they have
    no replicas, and a later test that stops a node would find them red (lost) and the cluster red."""
    since = len(harness.CREATED)
    yield
    harness.discard_created(since)


@pytest.fixture(scope="session", autouse=True)
def _delete_remaining_remote_indexes():
    yield
    harness.discard_created()


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Engine:
    return load_engine(request.param)


@pytest.fixture(params=REAL_ENGINES)
def real_engine(request: pytest.FixtureRequest) -> Engine:
    return load_engine(request.param)
