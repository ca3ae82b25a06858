"""Every page in a real headless chromium against `pmo serve` on the demo warehouse, with a screenshot of each."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_support import (
    chromium,
    dashboard_server,
    metric_value,
    open_page,
    requires_chromium,
    screenshot,
    wait_until_ready,
)
from playwright.sync_api import expect

from dashboard import i18n

pytestmark = [pytest.mark.browser, requires_chromium]

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
PAGES = ("overview", "project_detail", "schedule", "resources", "budget_evm", "risks", "performance", "changes",
         "issues_actions", "quality", "documents", "closure_lessons", "data_quality", "load_data", "accounts")


@pytest.fixture(scope="module")
def server(demo_db: Path):
    with dashboard_server(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def visit(browser, server: str, page_name: str):
    """Open the app and go to a page the way a person does: through the sidebar navigation."""
    page, errors = open_page(browser, server)
    if page_name != "overview":
        title = i18n.EN[f"page.{page_name}"]
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
        page.locator("h1", has_text=title).wait_for()
        wait_until_ready(page)
    return page, errors


@pytest.mark.parametrize("page_name", PAGES)
def test_page_renders_without_errors(server: str, browser, page_name: str) -> None:
    page, errors = visit(browser, server, page_name)
    try:
        screenshot(page, SCREENSHOTS / f"{page_name}.png")
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not errors, errors
        assert page.locator("h1").first.inner_text().strip() == i18n.EN[f"page.{page_name}"]
    finally:
        page.close()


@pytest.mark.parametrize(("path", "page_name", "shown"), [
    ("/schedule", "schedule", "Overdue milestones"),
    ("/project_detail?project=PRJ-001", "project_detail", "PRJ-001 · "),
])
def test_a_page_opens_by_its_own_url(server: str, browser, path: str, page_name: str, shown: str) -> None:
    """st.navigation gives each page the url_path of its file stem: a bookmarked page URL opens that page."""
    page, errors = open_page(browser, server + path)
    try:
        assert page.locator("h1").first.inner_text().strip() == i18n.EN[f"page.{page_name}"]
        assert page.url.startswith(server + path.split("?")[0])
        expect(page.get_by_text(shown).first).to_be_visible()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert not errors, errors  # only Streamlit's own /<page>/_stcore/health and host-config 404s are filtered
    finally:
        page.close()


def test_the_overview_opens_by_its_own_url_too(server: str, browser) -> None:
    """The default page lives at the root URL; /overview, typed or bookmarked like the others, opens it there
    (not Streamlit's "Page not found")."""
    page, errors = open_page(browser, server + "/overview")
    try:
        page.locator("h1", has_text=i18n.EN["page.overview"]).wait_for()
        page.locator('[data-testid="stMetric"]').first.wait_for()  # the overview ran (after the switch to the root)
        wait_until_ready(page)
        assert page.url.rstrip("/") == server
        assert page.get_by_text("Page not found").count() == 0
        assert not errors, errors
    finally:
        page.close()


def test_overview_shows_kpi_tiles_and_the_bubble_chart(server: str, browser) -> None:
    page, _ = open_page(browser, server)
    try:
        for label in ("Active projects", "High & critical risks", "Utilisation", "Portfolio CPI", "Portfolio SPI(t)",
                      "Portfolio SPI", "EAC vs BAC"):
            expect(page.locator('[data-testid="stMetric"]').filter(has_text=label).first).to_be_visible()
        expect(page.get_by_text("Computed RAG", exact=True).first).to_be_visible()
        expect(page.locator(".js-plotly-plot .scatterlayer .point").first).to_be_visible()
        eac = metric_value(page, "EAC vs BAC")  # the demo portfolio is in euros: the tile says so
        assert re.fullmatch(r"€[\d,.]+ (M|bn|k)", eac), eac
    finally:
        page.close()


RAG_COUNT = """rag => [...document.querySelectorAll('[data-testid="stMarkdownContainer"] h3')]
    .find(h => h.closest('[data-testid="stMarkdownContainer"]').innerText.trim().endsWith(rag))
    .innerText.replace(/[^0-9]/g, '')"""
CHART_POINTS = """name => {  // points plotly drew for the trace (its data arrive binary-encoded, so ask plotly)
    const trace = document.querySelector('.js-plotly-plot')._fullData.find(d => d.name === name);
    return trace ? trace._length : 0 }"""


def test_the_bubble_charts_red_is_the_red_tiles_count(server: str, browser) -> None:
    page, _ = open_page(browser, server)
    try:
        page.locator(".js-plotly-plot .scatterlayer .point").first.wait_for()  # the chart is drawn
        for rag in ("red", "amber", "green"):
            name = i18n.TEXT["en"][f"rag.{rag}"]
            tile = int(page.evaluate(RAG_COUNT, name))
            assert page.evaluate(CHART_POINTS, name) == tile, rag
        assert int(page.evaluate(RAG_COUNT, i18n.TEXT["en"]["rag.red"])) > 0, "the demo has red projects"
    finally:
        page.close()


def test_risk_page_shows_the_heatmap(server: str, browser) -> None:
    page, _ = visit(browser, server, "risks")
    try:
        expect(page.locator(".js-plotly-plot .heatmaplayer .hm").first).to_be_attached()
    finally:
        page.close()


def test_a_shared_link_reopens_the_view_in_chinese(server: str, browser) -> None:
    page, errors = open_page(browser, f"{server}/?lang=zh&rag=red")
    try:
        assert page.locator("h1").first.inner_text().strip() == "项目组合总览"
        assert "lang=zh" in page.url and "rag=red" in page.url
        assert not errors, errors
    finally:
        page.close()


HOSTILE = '<a href="https://evil.example/">Evil</a><span style="color:#ff0000">Red</span>'
INJECTED = """() => [...document.querySelectorAll('a, [style]')].filter(e =>
    (e.getAttribute('href') || e.getAttribute('xlink:href') || '').includes('evil.example')
    || (e.getAttribute('style') || '').replace(/\\s/g, '').includes('color:#ff0000')).length"""


@pytest.fixture(scope="module")
def hostile_server(demo_db: Path, demo_files: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo with PRJ-001 renamed to HTML, through a corrected projects export the real pipeline loads."""
    import openpyxl

    from pipelines.ingest import ingest_paths

    folder = tmp_path_factory.mktemp("hostile")
    shutil.copytree(demo_db.parent, folder / "warehouse", ignore=shutil.ignore_patterns("files", ".lock", "READY"))
    book = openpyxl.load_workbook(demo_files / "projects.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Project ID")].value == "PRJ-001")
    row[header.index("Project Name")].value = HOSTILE
    book.save(folder / "projects.xlsx")
    db = folder / "warehouse" / demo_db.name
    (result,) = ingest_paths([folder / "projects.xlsx"], db=db)
    assert result.status in ("loaded", "loaded_with_quarantine"), result.message
    with dashboard_server(db) as url:
        yield url


@pytest.mark.parametrize("path", ["/performance?manager=Diego%20Nguyen", "/project_detail?project=PRJ-001",
                                  "/budget_evm"])
def test_html_in_a_project_name_is_shown_as_text_never_as_a_link_or_style(hostile_server: str, browser,
                                                                         path: str) -> None:
    page, errors = open_page(browser, hostile_server + path)
    try:
        assert page.locator('[data-testid="stException"]').count() == 0 and not errors, errors
        assert page.evaluate(INJECTED) == 0
        if path != "/budget_evm":  # shown as typed (Markdown's word joiners that keep a URL unlinked aside)
            page.wait_for_function("name => document.body.textContent.replaceAll('\\u2060', '').includes(name)",
                                   arg=HOSTILE, timeout=30_000)
    finally:
        page.close()


def test_a_link_to_an_unknown_project_says_so_in_the_browser(server: str, browser) -> None:
    page, errors = open_page(browser, server + "/project_detail?project=NOPE")
    try:
        page.get_by_text("No project NOPE in the warehouse").wait_for()
        assert page.locator('[data-testid="stMetric"]').count() == 0, "not silently another project's figures"
        assert not errors, errors
    finally:
        page.close()


@pytest.fixture(scope="module")
def broken_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo on a server whose published snapshot is then overwritten with garbage: every query fails."""
    from contract.layout import current_snapshot

    folder = tmp_path_factory.mktemp("broken")
    shutil.copytree(demo_db.parent, folder / "warehouse", ignore=shutil.ignore_patterns("files", ".lock", "READY"))
    db = folder / "warehouse" / demo_db.name
    with dashboard_server(db) as url:
        current_snapshot(db)[1].write_bytes(b"not a database " * 1000)  # type: ignore[index]
        yield url, folder


def test_a_failing_server_shows_no_traceback_and_no_server_path(broken_server, browser) -> None:
    url, folder = broken_server
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(url)
        page.locator('[data-testid="stAlertContentError"]').first.wait_for(timeout=60_000)
        shown = page.locator("body").inner_text()
        incident = re.escape(i18n.EN["ui.incident"]).replace(re.escape("{id}"), "[0-9a-f]{8}")
        assert re.search(incident, shown), shown
        assert "Traceback" not in shown and str(folder) not in shown and ".duckdb" not in shown, shown
    finally:
        page.close()


ENGLISH_REASONS = [text.split("{")[0].strip() for key, text in i18n.TEXT["en"].items() if key.startswith("why.")]


def test_a_chinese_page_gives_its_reasons_in_chinese(server: str, browser) -> None:
    """PRJ-006's October risks failed the gate: its health is unknown, and the reason one click away is Chinese."""
    page, errors = open_page(browser, server + "/project_detail?project=PRJ-006&lang=zh")
    try:
        why = page.get_by_role("button", name=i18n.TEXT["zh"]["ui.why_unknown"])
        why.first.wait_for()  # PRJ-006 has unknown tiles
        shown = page.locator("body").inner_text()
        for button in why.all():  # every reason one click away
            button.click()
            popover = page.locator('[data-testid="stPopoverBody"]').last
            popover.wait_for()
            shown += popover.inner_text()
            page.keyboard.press("Escape")
        assert i18n.TEXT["zh"]["why.risks_gate"] in shown
        assert not [r for r in ENGLISH_REASONS if r in shown], shown
        assert not errors, errors
    finally:
        page.close()


def test_the_resources_page_follows_the_portfolio_filter(server: str, browser) -> None:
    """People are in a portfolio through the projects they booked time to: filtering one shrinks every tile."""
    def tiles(path: str) -> tuple[int, str]:
        page, errors = open_page(browser, server + path)
        try:
            page.locator('[data-testid="stMetric"]').first.wait_for()
            assert not errors, errors
            assert page.get_by_text(i18n.TEXT["en"]["res.by_project"]).count() == ("portfolio=" in path)
            return int(metric_value(page, i18n.TEXT["en"]["res.kpi.people"]).replace(",", "")), \
                metric_value(page, i18n.TEXT["en"]["res.kpi.utilisation"])
        finally:
            page.close()

    everyone, growth = tiles("/resources"), tiles("/resources?portfolio=Growth")
    assert 0 < growth[0] < everyone[0], (growth, everyone)
    assert growth[1] != everyone[1]


def test_an_xlsx_download_carries_the_month_and_the_filters(server: str, browser, tmp_path: Path) -> None:
    """The over-allocated people of Growth, downloaded from the page: a sheet named after the page, the month and
    the filter above the table, human headers, and utilisation as a number formatted as a percentage."""
    import openpyxl

    page, errors = open_page(browser, server + "/resources?portfolio=Growth")
    try:
        button = page.locator(".st-key-resources_over_xlsx button")  # the over-allocated table's XLSX
        button.first.wait_for()
        caption = page.get_by_text(i18n.TEXT["en"]["res.caption"].split("{")[0]).first.inner_text()
        with page.expect_download() as download:
            button.first.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert not errors, errors
    finally:
        page.close()
    sheet = openpyxl.load_workbook(saved).active
    assert sheet.title == i18n.EN["page.resources"]
    heading = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, max_row=5, max_col=2, values_only=True)}
    assert heading[i18n.EN["filter.portfolio"]] == "Growth"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", heading[i18n.EN["filter.period"]])
    assert heading[i18n.EN["filter.period"]] in caption  # the month the page shows
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == i18n.TEXT["en"]["col.employee_id"])
    headers = [c.value for c in sheet[header_row]]
    utilisation = sheet.cell(header_row + 1, headers.index(i18n.TEXT["en"]["col.utilisation"]) + 1)
    assert isinstance(utilisation.value, float) and utilisation.value > 1  # over-allocated: above 100 %
    assert utilisation.number_format == "0.0%"


def test_an_unknown_address_says_so_in_the_readers_language(server: str, browser) -> None:
    """Not Streamlit's English "Page not found" dialog: the overview opens and says, in Chinese, what happened."""
    page, errors = open_page(browser, server + "/no_such_page?lang=zh")
    try:
        page.locator('[data-testid="stAlertContentWarning"]').first.wait_for()
        shown = page.locator("body").inner_text()
        assert i18n.TEXT["zh"]["ui.page_not_found"].format(page=i18n.TEXT["zh"]["page.overview"]) in shown
        assert "Page not found" not in shown
        assert page.locator("h1").first.inner_text().strip() == i18n.TEXT["zh"]["page.overview"]
        assert not errors, errors
    finally:
        page.close()
