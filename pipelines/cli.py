"""The `pmo` command: demo, ingest, build, status, serve, freeze, report, user.

Exit codes: 0 loaded (quarantined rows allowed), 1 a file was rejected (any failure with --strict) or the
warehouse was busy with --no-wait, 2 usage error. Errors are one line each; a traceback is shown only with
PMO_DEBUG=1. Commands that write wait for another pmo process's write to finish (saying so); every command but
`status` first finishes a build a killed process owed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn
from rich.table import Table

from contract import settings
from pipelines.warehouse import WarehouseBusy

# Piped or captured output is read by scripts and logs: keep table rows whole instead of 80 columns.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(stderr=False, highlight=False, width=_WIDTH)
errors = Console(stderr=True, highlight=False, width=_WIDTH)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.db = Path(args.db).resolve() if args.db else settings.db_path()  # the warehouse, read once, passed down
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        errors.print("interrupted; the warehouse is unchanged by the unfinished file")
        return 1
    except WarehouseBusy as busy:
        errors.print(f"[red]error:[/red] {escape(str(busy))} (--no-wait: not waiting)", soft_wrap=True)
        return 1
    except Exception as err:  # the last line of defence: one readable line, never a traceback
        if os.environ.get("PMO_DEBUG"):
            raise
        errors.print(f"[red]error:[/red] {escape(f'{type(err).__name__}: {err}')}", soft_wrap=True)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmo", description="PMO Portfolio Oversight")
    parser.add_argument("--db", help="warehouse file (default: $PMO_DB or data/warehouse/pmo.duckdb)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="generate the sample portfolio and load it")
    demo.add_argument("--out", type=Path, default=settings.PROJECT_ROOT / "data" / "demo",
                      help="folder for the generated files (default data/demo)")
    demo.add_argument("--no-wait", action="store_true", help="fail at once while another pmo process writes")
    demo.set_defaults(run=_demo)

    ingest = commands.add_parser("ingest", help="validate and load files or folders")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument("--source", choices=sorted(_sources()), help="skip source detection")
    ingest.add_argument("--as-of", type=date.fromisoformat, help="snapshot date YYYY-MM-DD")
    ingest.add_argument("--strict", action="store_true", help="reject a file on any failed check")
    ingest.add_argument("--mapping", help="a mapping preset (pipelines/mappings/NAME.toml, or a preset file), "
                                          "or a header map FILE.toml with [aliases] \"Their header\" = \"column\"")
    ingest.add_argument("--sheet", help="the workbook sheet to read (default: the first visible one)")
    ingest.add_argument("--baseline", action="store_true", help="the schedule is its project's baseline")
    ingest.add_argument("--json", action="store_true", help="print the results as JSON")
    ingest.add_argument("--no-wait", action="store_true", help="fail at once while another pmo process writes")
    ingest.set_defaults(run=_ingest)

    build = commands.add_parser("build", help="rebuild the marts from the raw layer")
    build.add_argument("--no-wait", action="store_true", help="fail at once while another pmo process writes")
    build.set_defaults(run=_build)

    status = commands.add_parser("status", help="what is loaded, freshness, last gate results")
    status.set_defaults(run=_status)

    freeze = commands.add_parser("freeze", help="freeze a month as presented at its review")
    freeze.add_argument("--month", required=True, help="YYYY-MM")
    freeze.add_argument("--replace", action="store_true", help="freeze a frozen month again (both versions listed)")
    freeze.add_argument("--no-wait", action="store_true", help="fail at once while another pmo process writes")
    freeze.set_defaults(run=_freeze)

    report = commands.add_parser("report", help="write the monthly review pack (.html, .pdf or .pptx)")
    report.add_argument("--month", required=True, help="YYYY-MM")
    report.add_argument("--out", required=True, type=Path, help="FILE.html, FILE.pdf or FILE.pptx")
    report.add_argument("--lang", choices=("en", "zh"), default="en")
    report.add_argument("--portfolio", action="append", default=[], metavar="P",
                        help="only these portfolios' projects (repeat for more; default: every portfolio)")
    report.set_defaults(run=_report)

    serve = commands.add_parser("serve", help="start the dashboard (on 127.0.0.1 unless --host)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; another than 127.0.0.1 needs accounts (pmo user add) or --no-auth")
    serve.add_argument("--no-auth", action="store_true", help="serve without accounts on --host: anyone who "
                                                                "reaches the port reads everything and loads files")
    serve.set_defaults(run=_serve)

    user = commands.add_parser("user", help="accounts that may sign in to the dashboard")
    users = user.add_subparsers(required=True, metavar="ACTION")
    add = users.add_parser("add", help="add an account (the password is read from the terminal)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("viewer", "analyst", "admin"))
    add.add_argument("--portfolio", action="append", default=[], metavar="P",
                     help="limit the account to this portfolio (repeat for more; default: every portfolio)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--sso", action="store_true",
                     help="no password: NAME is the e-mail address it signs in with through the identity provider")
    add.set_defaults(run=_user_add)
    users.add_parser("list", help="list the accounts").set_defaults(run=_user_list)
    remove = users.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    remove.set_defaults(run=_user_remove)
    return parser


def _sources() -> list[str]:
    from contract.sources import SOURCES

    return list(SOURCES)


# --- commands ------------------------------------------------------------------------------------

def _writer(args: argparse.Namespace, what: str):
    """The warehouse's writer lock for a writing command: wait for another pmo process (saying so on stderr),
    or with --no-wait fail at once."""
    from pipelines.warehouse import writing

    return writing(args.db, what, wait=not args.no_wait, notify=_say)


def _say(message: str, _percent: float | None = None, /) -> None:
    errors.print(escape(message), soft_wrap=True)


def _finish_owed_build(db: Path) -> None:
    from pipelines.ingest import finish_owed_build

    finish_owed_build(db, notify=_say)


def _ingest(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        errors.print(f"[red]error:[/red] no such file or folder: {escape(', '.join(map(str, missing)))}",
                     soft_wrap=True)
        return 2
    from pipelines.ingest import expand, ingest_paths, load_names

    with _writer(args, f"pmo ingest {load_names(expand(args.paths))}"), _progress_bar() as progress:
        results = ingest_paths(args.paths, source=args.source, as_of=args.as_of, strict=args.strict,
                               mapping=args.mapping, baseline=args.baseline, sheet=args.sheet, db=args.db,
                               progress=progress)
    if args.json:
        print(json.dumps([asdict(r) for r in results], default=str, indent=1))
    else:
        _print_results(results)
    return 1 if any(r.failed for r in results) else 0


@contextmanager
def _progress_bar() -> Iterator[Callable[..., None]]:
    """A live bar while files load: each file's phase, and the percentage of a long statement (a large file)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("loading …", total=None)

        def show(message: str, percent: float | None = None) -> None:
            bar.update(task, description=escape(message), total=None if percent is None else 100,
                       completed=percent or 0)

        yield show


def _print_results(results) -> None:
    """The summary table, then one line per file that was rejected or had rows quarantined. File names,
    headers and cell values in messages are the user's text, printed literally (never as markup)."""
    table = Table(title="Load summary")
    for col in ("file", "source", "status", "read", "loaded", "quarantined"):
        table.add_column(col, justify="right" if col in ("read", "loaded", "quarantined") else "left")
    colours = {"loaded": "green", "loaded_with_quarantine": "yellow", "unchanged": "cyan", "rejected": "red"}
    for r in results:
        table.add_row(escape(r.file), r.source or "?", f"[{colours[r.status]}]{r.status}[/]", str(r.rows_read),
                      str(r.rows_loaded), str(r.rows_quarantined))
    console.print(table)
    for r in results:
        if r.status in ("rejected", "loaded_with_quarantine"):
            (errors if r.failed else console).print(f"{'✗' if r.failed else '!'} {escape(r.message)}",
                                                    soft_wrap=True)


def _demo(args: argparse.Namespace) -> int:
    from pipelines.demo import STORIES, STORY_NOTES, generate
    from pipelines.ingest import ingest_paths

    with console.status("generating the sample portfolio …"):
        files = generate(args.out)
    console.print(f"generated {len(files)} files in {escape(str(args.out))}")
    with _writer(args, "pmo demo"), _progress_bar() as progress:
        results = ingest_paths(files, db=args.db, progress=progress)
    _print_results(results)
    console.print(f"warehouse: {escape(str(args.db))}")
    console.print("\n[bold]What to look for[/bold] (`pmo serve` opens the dashboard):")
    for story, note in STORY_NOTES.items():
        who = "" if note.startswith(STORIES[story]) else f"{STORIES[story]}  "  # a team's note starts with its name
        console.print(f"  • {escape(who + note)}", soft_wrap=True)
    return 1 if any(r.failed for r in results) else 0


def _build(args: argparse.Namespace) -> int:
    from pipelines.ingest import rebuild

    with _writer(args, "pmo build"):
        counts = rebuild(args.db)
    table = Table(title="Models built")
    table.add_column("model")
    table.add_column("rows", justify="right")
    for model, rows in counts.items():
        table.add_row(model, f"{rows:,}")
    console.print(table)
    return 0


def _status(args: argparse.Namespace) -> int:
    from pipelines.status import status

    db = args.db
    if not db.exists():
        errors.print(f"no warehouse at {escape(str(db))} yet: run `pmo demo` or `pmo ingest FILES`", soft_wrap=True)
        return 1
    found = status(db)
    table = Table(title=f"Warehouse {escape(str(db))} ({db.stat().st_size / 2**20:.1f} MiB)")
    headers = ("source", "rows", "files", "last load", "latest as-of", "last status", "quarantined",
               "failed checks", "age (days)")
    for h in headers:
        table.add_column(h)
    for row in found.sources:
        table.add_row(*(("" if v is None else f"{v:,}" if isinstance(v, int) else str(v)) for v in row))
    console.print(table)
    console.print(f"[{'red' if found.behind else 'green'}]{escape(found.published)}[/]", soft_wrap=True)
    _print_frozen(found.frozen)
    return 0


def _print_frozen(months) -> None:
    if not months:
        console.print("frozen months: none (`pmo freeze --month YYYY-MM` freezes one as presented)")
        return
    table = Table(title="Frozen months")
    for h in ("month", "version", "frozen at", "inputs", "code", "config sha256", "current"):
        table.add_column(h)
    for f in months:
        table.add_row(f.month, f"v{f.version}", f"{f.frozen_at:%Y-%m-%d %H:%M}", str(f.inputs), f.code_version,
                      f.config_sha256[:16], "yes" if f.is_current else "replaced")
    console.print(table)


def _freeze(args: argparse.Namespace) -> int:
    from pipelines.freeze import FreezeError, freeze

    try:
        with _writer(args, f"pmo freeze --month {args.month}"):
            _finish_owed_build(args.db)
            with console.status(f"freezing {escape(args.month)} as presented …"):
                frozen = freeze(args.month, replace=args.replace, db=args.db)
    except FreezeError as err:
        errors.print(f"[red]error:[/red] {escape(str(err))}", soft_wrap=True)
        return 2
    console.print(f"froze {frozen.month} as presented: v{frozen.version}, {frozen.inputs} input files, "
                  f"code {frozen.code_version}; {escape(frozen.file.name)}", soft_wrap=True)
    return 0


def _report(args: argparse.Namespace) -> int:
    from streamlit import logger

    logger.set_log_level("error")  # the dashboard's metrics outside a browser session: no "no runtime" notes
    from dashboard.auth import FENCE_ENV
    from dashboard.pack.write import FORMATS, PackError, write_pack

    os.environ[FENCE_ENV] = "\x1f".join(args.portfolio)  # dashboard.db fences every query of the pack
    os.environ["PMO_DB"] = str(args.db)  # the pack runs the dashboard's own code, which finds the warehouse there

    if args.out.suffix.lower() not in FORMATS:
        errors.print(f"[red]error:[/red] --out {escape(str(args.out))}: the suffix chooses the format, one of "
                     f"{', '.join(FORMATS)}", soft_wrap=True)
        return 2
    _finish_owed_build(args.db)
    try:
        with console.status(f"writing the {escape(args.month)} review pack …"):
            pack = write_pack(args.month, args.out, lang=args.lang)
    except PackError as err:
        errors.print(f"[red]error:[/red] {escape(str(err))}", soft_wrap=True)
        return 2
    console.print(f"wrote {escape(str(args.out))}: {pack}", soft_wrap=True)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from contract.accounts import accounts

    signing_in = bool(accounts(args.db))
    if args.host not in LOOPBACK and not signing_in and not args.no_auth:
        errors.print(f"[red]error:[/red] refusing to serve on {escape(args.host)} without accounts: anyone who "
                     "reaches the port could read everything and load files. Add one with `pmo user add NAME "
                     "--role admin`, or pass --no-auth to serve open anyway.", soft_wrap=True)
        return 2
    if args.host not in LOOPBACK and not signing_in:
        errors.print(f"[bold red]--no-auth: serving on {escape(args.host)} WITHOUT SIGN-IN; anyone who reaches "
                     "the port reads everything and loads files[/]", soft_wrap=True)
    _finish_owed_build(args.db)  # e.g. a snapshot built by other code: a newer dashboard may read new columns
    app = settings.PROJECT_ROOT / "dashboard" / "streamlit_app.py"
    streamlit = str(Path(sys.executable).with_name("streamlit"))  # not `-m`: a stray module in the cwd can't shadow it
    cmd = [streamlit, "run", str(app), "--server.address", args.host, "--server.port", str(args.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.enableXsrfProtection", "true", "--server.maxUploadSize", str(_upload_mib()),
           # with accounts, row-level data leaves only through the download buttons the role allows
           "--client.disableDataExport", "true" if signing_in else "false"]
    console.print(f"dashboard on http://{args.host}:{args.port}"
                  f"{' (sign-in required)' if signing_in else ''}  (Ctrl+C to stop)")
    sys.stdout.flush()
    # the server replaces this process (a signal to `pmo serve` reaches it) and finds the warehouse in PMO_DB
    os.execve(streamlit, cmd, {**os.environ, "PMO_DB": str(args.db)})


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _upload_mib() -> int:
    """[uploads] max_file_bytes in whole MiB, for the browser's own upload limit (the page checks the bytes)."""
    return -(-int(settings.config()["uploads"]["max_file_bytes"]) // 2**20)


def _user_add(args: argparse.Namespace) -> int:
    import getpass

    from contract.accounts import AccountError, add

    password = None
    if not args.sso:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"password for {args.name}: ")
            if getpass.getpass("again: ") != password:
                errors.print("[red]error:[/red] the passwords differ; nothing added")
                return 2
    try:
        account = add(args.name, args.role, password=password, portfolios=tuple(args.portfolio), db=args.db)
    except AccountError as err:
        errors.print(f"[red]error:[/red] {escape(str(err))}", soft_wrap=True)
        return 2
    fence = ", ".join(account.portfolios) or "every portfolio"
    console.print(f"added {escape(account.name)}: {account.role}, {escape(fence)}"
                  f"{', signs in through the identity provider' if account.sso else ''}", soft_wrap=True)
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from contract.accounts import accounts, users_file

    found = accounts(args.db)
    if not found:
        console.print(f"no accounts ({escape(users_file(args.db).name)}): the dashboard runs open on 127.0.0.1 only")
        return 0
    table = Table(title="Accounts")
    for h in ("name", "role", "portfolios", "sign-in", "created"):
        table.add_column(h)
    for a in found.values():
        table.add_row(escape(a.name), a.role, escape(", ".join(a.portfolios) or "every"),
                      "identity provider" if a.sso else "password", a.created)
    console.print(table)
    return 0


def _user_remove(args: argparse.Namespace) -> int:
    from contract.accounts import AccountError, remove

    try:
        remove(args.name, args.db)
    except AccountError as err:
        errors.print(f"[red]error:[/red] {escape(str(err))}", soft_wrap=True)
        return 2
    console.print(f"removed {escape(args.name)}")
    return 0


def entry_point() -> None:
    """The installed `pmo` command. It ends without interpreter teardown, where DuckDB 2.0's bindings
    print "nanobind: leaked ..." warnings once great-expectations has used the database; every
    connection is closed and every write committed or rolled back before `main` returns."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
