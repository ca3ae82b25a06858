"""A warm `pmo` for the dashboard's uploads: great-expectations imported once, each command in a fresh fork.

The dashboard (dashboard/uploads.py) starts `python -m pipelines.worker` once and writes one JSON line per
command: {"argv": [...], "env": {...}}. The worker forks; the child takes the job's environment and runs
`pipelines.cli.main(argv)` with its stdout and stderr in files, so a crash or a leak stays in the child, as with a
process per file. The worker answers one JSON line: {"returncode": n, "stdout": "...", "stderr": "..."}. It ends
when its stdin closes (the dashboard is gone).

What the warm start saves is the import of great_expectations and the pipeline (bench/ingest: about 2.5 s of GX
on two cores), paid once per dashboard process instead of once per upload.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path


def main() -> None:
    from checks import gate
    from pipelines import cli

    gate.load_great_expectations()  # the slow import, before the first job and never again
    for line in sys.stdin:
        job = json.loads(line)
        sys.stdout.write(json.dumps(run(cli.main, job["argv"], job["env"])) + "\n")
        sys.stdout.flush()


def run(command, argv: list[str], env: dict[str, str]) -> dict[str, object]:
    """`command(argv)` in a forked child with `env` as its environment; its exit code and what it printed."""
    with tempfile.TemporaryDirectory(prefix="pmo-worker-") as folder:
        out, err = Path(folder) / "stdout", Path(folder) / "stderr"
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:  # the child: never returns
            code = 1
            try:
                os.environ.clear()
                os.environ.update(env)
                for path, fd in ((out, 1), (err, 2)):
                    os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
                sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)  # noqa: SIM115
                code = command(argv)
            except SystemExit as stop:  # argparse's exit on bad arguments
                code = stop.code if isinstance(stop.code, int) else 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(child, 0)
        return {"returncode": os.waitstatus_to_exitcode(status),
                "stdout": out.read_text(errors="replace") if out.exists() else "",
                "stderr": err.read_text(errors="replace") if err.exists() else ""}


if __name__ == "__main__":
    main()
