#!/usr/bin/env python3
"""timed.py RESULT CMD...: runs CMD (stdin, stdout and stderr are this process's) and writes
"wall_ms peak_rss_kb exit_code" to RESULT.

Wall time runs from just before the spawn to the reap, measured inside this one process: no
shell, `date` or /usr/bin/time process is charged to the command (a ~70 ms run was charged
~4 ms of them). Peak RSS is what wait4 reports for the command, as /usr/bin/time's %M: the
largest of the process and the descendants it waited for. Exits with the command's code."""
import os
import sys
import time

result, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter_ns()
try:
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
except OSError as error:
    sys.exit(f"timed.py: cannot run {cmd[0]}: {error.strerror}")
_, status, usage = os.wait4(pid, 0)
wall_ms = (time.perf_counter_ns() - started) // 1_000_000
code = os.waitstatus_to_exitcode(status)
with open(result, "w") as out:
    out.write(f"{wall_ms} {usage.ru_maxrss} {code}\n")
sys.exit(code if code >= 0 else 128 - code)
