"""Run an Odoo command that runs tests, keep its whole log, and judge it.

Usage: odoo_tests.py NAME LOGFILE RESULTFILE -- odoo command line...

Prints Odoo's test result lines and every warning or error as they come; writes
"<tests> <failures>" to RESULTFILE. Exits non-zero when a test failed, when Odoo
logged a warning or an error (as OCA's CI does), or when no test ran.
"""

import re
import subprocess
import sys

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) ")
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
# Lines Odoo itself logs at warning level in a clean run that say nothing about the
# code under test.
BENIGN = (re.compile(r"Running as user 'root' is a security risk"),)


def main(argv):
    name, log_path, result_path, sep, *cmd = argv
    assert sep == "--", "usage: odoo_tests.py NAME LOGFILE RESULTFILE -- command..."
    tests = failures = 0
    problems = []
    level = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        for line in proc.stdout:
            log.write(line)
            match = LOG_LINE.match(line)
            if match:
                level = match.group(1)
                result = RESULT.search(line)
                if result and "odoo.tests.result" in line:
                    failures += int(result.group(1)) + int(result.group(2))
                    tests += int(result.group(3))
                    sys.stdout.write(f"[{name}] {line}")
                    continue
                if level in ("WARNING", "ERROR", "CRITICAL"):
                    if not any(p.search(line) for p in BENIGN):
                        problems.append(line)
                        sys.stdout.write(f"[{name}] {line}")
                elif "odoo.tests.stats" in line or "Starting post tests" in line:
                    continue
            elif level in ("WARNING", "ERROR", "CRITICAL") and problems:
                # Traceback and detail lines that follow a reported line.
                sys.stdout.write(f"[{name}]   {line}")
        code = proc.wait()
    with open(result_path, "w") as out:
        out.write(f"{tests} {failures}\n")
    verdict = []
    if code:
        verdict.append(f"Odoo exited with {code}")
    if failures:
        verdict.append(f"{failures} of {tests} tests failed")
    if problems:
        verdict.append(f"{len(problems)} warning or error lines in the log")
    if not tests:
        verdict.append("no test ran")
    if verdict:
        print(f"[{name}] FAILED: {'; '.join(verdict)} (whole log: {log_path})")
        return 1
    print(f"[{name}] {tests} tests passed (whole log: {log_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
