"""Run one system's in-process build in this fresh process, so the caller can time it and read its peak
memory alone. Prints the build's counts as JSON.

Usage: python -m benchmarks.worker build SYSTEM SEEDS_DIR INDEX_PATH
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.systems import get_system


def main(argv: list[str]) -> int:
    if len(argv) != 5 or argv[1] != "build":
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    _, _, name, seeds_dir, index_path = argv
    counts = get_system(name).build(Path(seeds_dir), Path(index_path))
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
