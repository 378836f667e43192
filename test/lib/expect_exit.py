"""Runs a command, echoes its output, and fails unless it exits with CODE.

Usage: python3 expect_exit.py CODE cmd args...
lit's `not` accepts any non-zero status; Kiln's tools promise specific exit
codes (1 compile error, 2 usage, 3 I/O) and never a crash (a signal).
"""
import subprocess
import sys

code = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(proc.stdout.decode(errors="replace"))
if proc.returncode != code:
    sys.stdout.write("expect_exit: exit status %d, expected %d\n" % (proc.returncode, code))
    sys.exit(1)
