"""Run one command and print its wall time, CPU time and peak memory as one JSON line.

Usage: python -I -S timed_run.py STDOUT_FILE STDERR_FILE -- COMMAND [ARG ...]

Run it as a fresh, small helper process for every measurement. Linux carries a process's peak RSS
across exec(), so a command spawned straight from the big benchmark process would report at least that
process's peak; spawned from this helper (stdlib only, no site), it reports its own. ``wait4`` gives the
rusage of exactly this one child (the same as RUSAGE_CHILDREN here, since there is no other).
"""

import json
import os
import sys
import time


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.stderr.write(__doc__.splitlines()[2] + "\n")
        return 2
    stdout_path, stderr_path, command = argv[1], argv[2], argv[4:]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path, flags, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, flags, 0o644),
    ]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_kb": usage.ru_maxrss,
        "returncode": os.waitstatus_to_exitcode(status),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
