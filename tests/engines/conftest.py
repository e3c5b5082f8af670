"""Engine fixtures: ``engine`` runs a test on every engine (the reference included), ``real_engine`` on
every engine but the reference (for comparisons with it). Add an engine in harness.ENGINE_NAMES."""

from __future__ import annotations

import pytest

from searchkit.engines.base import Engine

from .harness import ENGINE_NAMES, REAL_ENGINES, load_engine


@pytest.fixture(params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Engine:
    return load_engine(request.param)


@pytest.fixture(params=REAL_ENGINES)
def real_engine(request: pytest.FixtureRequest) -> Engine:
    return load_engine(request.param)
