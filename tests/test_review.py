"""The monthly review through the real CLI on a copy of the demo: freeze October as presented, load a late invoice
that restates it, then the pack (HTML, PDF, PPTX) still shows October as presented and lists the restatement."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import warehouse_at
from pptx import Presentation

from pipelines.cli import main as pmo

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists() or not shutil.which("pdftotext"),
                                reason="the pack's PDF and charts need Debian's chromium and poppler-utils "
                                       "(.ci/run installs them)")

MONTH, PROJECT = "2026-10", "PRJ-001"
LATE = Decimal("100000.00")  # a contractor invoice for October booked after the review


def cpi_shown(ev: Decimal, ac: Decimal) -> str:
    return str((ev / ac).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def review(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo copy after `pmo freeze --month 2026-10` and a late invoice, with the figures worked out by hand."""
    folder = tmp_path_factory.mktemp("review")
    db = folder / "warehouse" / "pmo.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    with warehouse_at(db):
        assert pmo(["build"]) == 0
        assert pmo(["freeze", "--month", MONTH]) == 0
        con = duckdb.connect(str(db), read_only=True)
        planned, actual = con.execute("SELECT planned_cost, actual_cost FROM raw_budgets WHERE project_id = ? "
                                      "AND period = ? AND cost_category = 'contractors'", [PROJECT, MONTH]).fetchone()
        ev, ac = con.execute("SELECT ev, ac FROM mart_evm WHERE project_id = ? AND period = ?",
                             [PROJECT, MONTH]).fetchone()
        con.close()
        late = folder / "in" / "budgets_late_invoice.csv"
        late.parent.mkdir()
        late.write_text("project_id,period,cost_category,planned_cost,actual_cost\n"
                        f"{PROJECT},{MONTH},contractors,{planned},{actual + LATE}\n", encoding="utf-8")
        assert pmo(["ingest", str(late)]) == 0
        packs = {suffix: folder / f"pack{suffix}" for suffix in (".html", ".pdf", ".pptx")}
        for suffix, out in packs.items():
            assert pmo(["report", "--month", MONTH, "--out", str(out)]) == 0, suffix
        yield {"db": db, "packs": packs, "presented": cpi_shown(ev, ac), "now": cpi_shown(ev, ac + LATE),
               "folder": folder}


def test_freezing_again_is_refused_unless_replace_and_both_versions_stay_listed(review, capsys) -> None:
    assert review["presented"] != review["now"]  # the invoice moves October's CPI as shown
    assert pmo(["freeze", "--month", MONTH]) == 2
    assert "already frozen (v1" in capsys.readouterr().err
    con = duckdb.connect(str(review["db"]), read_only=True)
    try:
        month, version, inputs = con.execute(
            "SELECT m.month, m.version, count(i.load_id) FROM frozen_month AS m "
            "JOIN frozen_input AS i USING (month, version) GROUP BY ALL").fetchone()
        hashes = {r[0] for r in con.execute("SELECT file_hash FROM frozen_input").fetchall()}
        loaded = {r[0] for r in con.execute("SELECT file_hash FROM load_log WHERE file_name = 'budgets.csv'"
                                            ).fetchall()}
    finally:
        con.close()
    assert (month, version) == (MONTH, 1) and inputs == 38 and loaded <= hashes  # the demo's 38 files, by sha256
    frozen = review["db"].with_name("pmo.duckdb.frozen") / f"{MONTH}.v1.duckdb"
    assert frozen.exists() and not frozen.stat().st_mode & 0o222  # read-only
    assert pmo(["status"]) == 0
    assert re.search(rf"{MONTH}\s+│\s+v1\s+│.*│\s+38\s+│.*yes", capsys.readouterr().out)


def test_the_html_pack_shows_the_month_as_presented_and_lists_the_restatement(review) -> None:
    text = review["packs"][".html"].read_text(encoding="utf-8")
    assert "as presented, frozen on" in text
    # PRJ-001's exception page: CPI as presented, two decimals
    page = text[text.index(f"<h2>{PROJECT} · "):]
    assert re.search(rf'<div class="label">CPI</div><div class="value">{review["presented"]}</div>', page)
    restated = text[text.index("<h2>Restated since presented</h2>"):]
    row = re.search(rf"<tr><td>{PROJECT}</td><td>CPI</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>"
                    r"<td>([^<]+)</td></tr>", restated)
    assert row, restated[:2000]
    assert (float(row.group(1)), float(row.group(2))) == (float(review["presented"]), float(review["now"]))
    assert "budgets_late_invoice.csv" in row.group(3)
    # one self-contained file: plotly.js once, nothing fetched from elsewhere
    assert len(re.findall(r"\* plotly\.js v\d", text)) == 1  # the library, embedded in the first chart only
    assert not re.search(r"<script[^>]*\bsrc=|<link\b", text)  # every script inline, no stylesheet fetched
    markup = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.DOTALL)  # the bundle's own strings aside
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)


def test_the_pdf_pack_has_its_pages(review) -> None:
    pdf = review["packs"][".pdf"]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("Monthly portfolio review — Oct 2026", "Portfolio health", "What changed since Sep 2026",
                  f"{PROJECT} · Customer Portal Relaunch", "Data-quality appendix", "Definitions",
                  "Restated since presented", "budgets_late_invoice.csv"):
        assert title in text, title
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    assert pages >= 10
    out = review["folder"] / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(out)], check=True)
    assert len(list(review["folder"].glob("page-*.png"))) == 2


def test_the_pptx_pack_opens_with_its_slides(review) -> None:
    deck = Presentation(str(review["packs"][".pptx"]))
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[0] == "Monthly portfolio review — Oct 2026"
    for title in ("Cover", "Portfolio health", "Definitions", "Restated since presented"):
        assert title in titles
    assert any(t.startswith(f"{PROJECT} · ") for t in titles)
    assert any(shape.shape_type == 13 for slide in deck.slides for shape in slide.shapes)  # a chart picture


def test_an_unfrozen_month_is_reported_live_and_says_so(review) -> None:
    out = review["folder"] / "september.html"
    assert pmo(["report", "--month", "2026-09", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "this month is not frozen" in text and "Restated since presented" not in text


def test_a_chinese_pack_renders_chinese(review) -> None:
    out = review["folder"] / "zh.pdf"
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "report", "--month", MONTH, "--out", str(out),
                           "--lang", "zh"], capture_output=True, text=True, timeout=600)  # as the dashboard runs it
    assert done.returncode == 0, done.stderr[-2000:]
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "项目组合月度评审" in text and "汇报后被重述的数字" in text


def test_the_dashboard_marks_the_frozen_month_and_switches_to_the_restated_view(review) -> None:
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")
    cpi = {}
    for view in ("presented", "restated"):
        at = AppTest.from_file(app, default_timeout=60)
        at.query_params.update({"period": MONTH, "project": PROJECT, **({"view": view} if view == "restated" else {})})
        at.run()
        at.switch_page("app_pages/project_detail.py").run()
        assert not at.exception, [e.value for e in at.exception]
        banner = " ".join(m.value for m in at.markdown)
        assert "Oct 2026 is frozen as presented" in banner and "figures restated since" in banner
        period = next(s for s in at.sidebar.selectbox if s.key == "period")
        assert period.format_func(MONTH) == "Oct 2026 · frozen"
        cpi[view] = next(m.value for m in at.metric if m.label == "CPI")
    assert cpi == {"presented": review["presented"], "restated": review["now"]}


def test_the_overview_prepares_the_pack_in_a_background_process(review) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard.pack.download import JOB_KEY

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"),
                           default_timeout=60)
    at.query_params["period"] = MONTH
    at.run()
    at.segmented_control(key="overview_pack_format").set_value(".html").run()
    at.button(key="overview_pack_prepare").click().run()
    job = at.session_state[JOB_KEY]
    assert job.process.wait(timeout=180) == 0  # `pmo report` in its own process, not the server's
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert job.out.name == f"review_{MONTH}.html" and "Restated since presented" in job.out.read_text("utf-8")
    assert at.get("download_button")


def test_the_restatement_is_read_again_for_another_reader_while_the_snapshot_stays_open(review, monkeypatch) -> None:
    """The dashboard keeps the snapshot open for its queries; a restatement query attaches the frozen month beside
    it in a database of its own, so a second reader's query (another cache key) attaches it again."""
    from dashboard import auth, db

    with warehouse_at(review["db"]):
        everyone = db.restatements(MONTH)
        with duckdb.connect(str(review["db"]), read_only=True) as con:
            portfolio = con.execute("SELECT portfolio FROM dim_project WHERE project_id = ?", [PROJECT]).fetchone()[0]
        monkeypatch.setattr(auth, "portfolios", lambda: (portfolio,))
        limited = db.restatements(MONTH)

    def cpi(found):
        mine = found[(found["project_id"] == PROJECT) & (found["metric"] == "cpi")]
        return mine[["as_presented", "now"]].values.tolist()

    assert cpi(everyone) == cpi(limited) == [[review["presented"], review["now"]]]
    assert len(limited) <= len(everyone)


def test_freezing_again_with_replace_adds_a_version_and_keeps_the_first(review, capsys) -> None:
    """Last in this module: v2 is frozen after the late invoice, so it presents the restated CPI."""
    assert pmo(["freeze", "--month", MONTH, "--replace"]) == 0
    con = duckdb.connect(str(review["db"]), read_only=True)
    try:
        versions = con.execute("SELECT version, is_current FROM frozen_month WHERE month = ? ORDER BY version",
                               [MONTH]).fetchall()
    finally:
        con.close()
    assert versions == [(1, False), (2, True)]
    folder = review["db"].with_name("pmo.duckdb.frozen")
    assert {p.name for p in folder.glob("*.duckdb")} == {f"{MONTH}.v1.duckdb", f"{MONTH}.v2.duckdb"}
    capsys.readouterr()
    assert pmo(["status"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"{MONTH}\s+│\s+v2\s+│.*yes", out) and re.search(rf"{MONTH}\s+│\s+v1\s+│.*replaced", out)
