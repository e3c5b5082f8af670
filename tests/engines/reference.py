"""The brute-force engine every real engine is checked against: searchkit's in-memory engine
(:mod:`searchkit.engines.memory`), as an application's tests would use it."""

from searchkit.engines.memory import MemoryEngine

__all__ = ["ReferenceEngine"]


class ReferenceEngine(MemoryEngine):
    """A fresh in-memory engine named "reference", so the contract can tell the oracle from the engine
    under test (the memory engine runs the contract as an engine too)."""

    name = "reference"
