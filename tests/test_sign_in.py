"""Who may see and load what: accounts (`pmo user`), `pmo serve --host`, the sign-in gate, roles and the portfolio
fence on every page, on a private copy of the demo warehouse."""

from __future__ import annotations

import io
import re
import shutil
import stat
from pathlib import Path

import duckdb
import pytest
from browser_support import chromium, dashboard_server, requires_chromium, wait_until_ready
from streamlit.testing.v1 import AppTest

from contract import accounts
from dashboard import auth, i18n
from pipelines.cli import main as pmo

APP = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"
PAGES = ("overview", "project_detail", "schedule", "resources", "budget_evm", "risks", "performance", "changes",
         "issues_actions", "quality", "documents", "closure_lessons", "data_quality")
PASSWORD = "correct horse battery"
FENCE = "Growth"


@pytest.fixture(scope="module")
def office(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo warehouse with three accounts: an admin, an analyst, and a viewer limited to Growth."""
    folder = tmp_path_factory.mktemp("office")
    shutil.copytree(demo_db.parent, folder / "warehouse", ignore=shutil.ignore_patterns("files", ".lock", "READY"))
    db = folder / "warehouse" / demo_db.name
    accounts.add("ada", "admin", password=PASSWORD, db=db)
    accounts.add("ann", "analyst", password=PASSWORD, db=db)
    accounts.add("vic", "viewer", password=PASSWORD, portfolios=(FENCE,), db=db)
    return db


@pytest.fixture
def signed(office: Path, use_warehouse):
    use_warehouse(office)
    auth._failures.clear()  # every test starts with no failed sign-ins (AppTest sessions share one address)

    def sign_in(name: str, password: str = PASSWORD, page: str = "overview", **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params.update(query)
        at.run()
        at.text_input(key="sign_in_name").input(name)
        at.text_input(key="sign_in_password").input(password)
        at.button[0].click().run()
        if page != "overview" and not at.error:
            at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return sign_in


def projects(office: Path, portfolio_is: bool) -> set[str]:
    with duckdb.connect(str(office), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT project_id FROM dim_project WHERE (portfolio = ?) = ?",
                                          [FENCE, portfolio_is]).fetchall()}


def shown_text(at: AppTest) -> str:
    """Everything a page put on screen: text elements, tables, charts' data, widget options."""
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                                        "error", "success") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [str(getattr(w, "options", "")) for w in [*at.selectbox, *at.multiselect]]
    return "\n".join(parts)


def test_accounts_are_added_listed_and_removed_with_hashed_passwords(warehouse_db: Path, monkeypatch, capsys) -> None:
    warehouse_db.parent.mkdir(parents=True)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n"))
    assert pmo(["user", "add", "ann", "--role", "analyst", "--portfolio", "Growth", "--password-stdin"]) == 0
    file = accounts.users_file(warehouse_db)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert PASSWORD not in file.read_text() and '"hash"' in file.read_text()
    assert accounts.verify("ann", PASSWORD, warehouse_db).portfolios == ("Growth",)  # type: ignore[union-attr]
    assert accounts.verify("ann", PASSWORD + "x", warehouse_db) is None
    assert accounts.verify("nobody", PASSWORD, warehouse_db) is None
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert pmo(["user", "add", "bob", "--role", "viewer", "--password-stdin"]) == 2
    assert pmo(["user", "add", "cio@example.org", "--role", "viewer", "--sso"]) == 0
    assert accounts.verify("cio@example.org", "", warehouse_db) is None  # an SSO account has no password to guess
    capsys.readouterr()
    assert pmo(["user", "list"]) == 0
    listed = capsys.readouterr().out
    assert "ann" in listed and "analyst" in listed and "Growth" in listed and "identity provider" in listed
    assert pmo(["user", "remove", "ann"]) == 0 and set(accounts.accounts(warehouse_db)) == {"cio@example.org"}
    assert pmo(["user", "remove", "ann"]) == 2


def test_serving_beyond_this_machine_needs_accounts_or_an_explicit_no_auth(warehouse_db: Path, capsys) -> None:
    assert pmo(["serve", "--host", "0.0.0.0"]) == 2
    assert "refusing to serve on 0.0.0.0 without accounts" in capsys.readouterr().err


def test_with_accounts_nothing_shows_before_sign_in(signed) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert [t.value for t in at.title] == [i18n.EN["auth.title"]]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_a_wrong_password_fails_and_repeated_failures_lock_the_name(signed, caplog) -> None:
    at = signed("ada", "wrong password!")
    assert [e.value for e in at.error] == [i18n.EN["auth.failed"]]
    for _ in range(4):
        signed("ada", "wrong password!")
    locked = signed("ada")  # the right password, after five failures in the window
    assert [e.value for e in locked.error] == [i18n.EN["auth.locked"].format(minutes=15)]
    assert "sign-in failed for 'ada'" in caplog.text and "correct horse" not in caplog.text


def test_a_viewer_reads_but_neither_loads_nor_downloads_rows(signed) -> None:
    at = signed("vic")
    assert at.metric and not at.get("download_button")
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for the session:
        at.switch_page("app_pages/load_data.py")  # its URL cannot run it either
    analyst = signed("ann", page="data_quality")
    assert analyst.get("download_button"), "an analyst downloads row-level tables"


@pytest.mark.parametrize("page", PAGES)
def test_a_viewer_limited_to_a_portfolio_sees_only_its_projects(signed, office: Path, page: str) -> None:
    at = signed("vic", page=page)
    seen = set(re.findall(r"PRJ-\d{3}", shown_text(at)))
    assert not seen & projects(office, portfolio_is=False), f"{page} shows other portfolios' projects"
    if page in ("overview", "project_detail", "performance"):
        assert seen and seen <= projects(office, portfolio_is=True)
    if page in ("overview", "performance"):  # unfenced, the same page shows the others: the fence hides them
        admin = signed("ada", page=page)
        assert set(re.findall(r"PRJ-\d{3}", shown_text(admin))) & projects(office, portfolio_is=False)


def test_a_limited_viewers_project_link_to_another_portfolio_says_unknown(signed, office: Path) -> None:
    other = sorted(projects(office, portfolio_is=False))[0]
    at = signed("vic", page="project_detail", project=other)
    said = f"No project {other} in the warehouse"
    assert any(said in w.value.replace("\\", "") for w in at.warning)
    assert other not in shown_text(at).replace("\\", "").replace(said, "")


def test_the_pack_of_a_limited_reader_holds_only_its_portfolio(office: Path, tmp_path: Path, use_warehouse,
                                                                monkeypatch) -> None:
    use_warehouse(office)
    out = tmp_path / "pack.html"
    with duckdb.connect(str(office), read_only=True) as con:
        month = con.execute("SELECT as_of_period FROM dim_report_date").fetchone()[0]
    monkeypatch.setenv(auth.FENCE_ENV, "")  # `pmo report` sets it in this process; restored after the test
    assert pmo(["report", "--month", month, "--out", str(out), "--portfolio", FENCE]) == 0
    seen = set(re.findall(r"PRJ-\d{3}", out.read_text()))
    assert seen and not seen & projects(office, portfolio_is=False)


@pytest.mark.browser
@requires_chromium
def test_signing_in_through_a_real_browser(office: Path) -> None:
    console_errors: list[str] = []
    with dashboard_server(office) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        page.get_by_role("heading", name=i18n.EN["auth.title"]).wait_for(timeout=60_000)
        assert not page.locator('[data-testid="stMetric"]').count(), "nothing of the portfolio before sign-in"
        page.get_by_role("textbox", name=i18n.EN["auth.name"]).fill("vic")
        page.get_by_role("textbox", name=i18n.EN["auth.password"]).fill(PASSWORD)
        page.get_by_role("button", name=i18n.EN["auth.submit"]).click()
        page.locator("h1", has_text=i18n.EN["page.overview"]).wait_for(timeout=60_000)
        wait_until_ready(page)
        assert "Signed in as vic (viewer; Growth)" in page.locator('[data-testid="stSidebar"]').inner_text()
        assert any(c["name"] == "_streamlit_xsrf" for c in page.context.cookies()), "XSRF protection stays on"
    assert not console_errors, console_errors


def test_an_idle_session_is_signed_out_and_a_removed_account_at_the_next_click(signed, office: Path, edited_config,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed("ann")
    assert at.metric
    edited_config({"session_idle_minutes = 60": "session_idle_minutes = 0"})  # any pause is now too long
    at.run()
    assert [i.value for i in at.info] == [i18n.EN["auth.expired"]] and not at.metric
    monkeypatch.delenv("PMO_CONFIG")
    again = signed("ann")
    assert again.metric
    accounts.remove("ann", db=office)
    try:
        again.run()
        assert [i.value for i in again.info] == [i18n.EN["auth.expired"]] and not again.metric
    finally:
        accounts.add("ann", "analyst", password=PASSWORD, db=office)


def test_an_admin_manages_accounts_in_the_dashboard_and_no_one_else_can(signed, office: Path) -> None:
    at = signed("ada", page="accounts")
    listed = at.dataframe[0].value
    assert set(listed["Name"]) == {"ada", "ann", "vic"}
    at.text_input(key="accounts_name").input("zed")
    at.selectbox(key="accounts_role").select("viewer")
    at.multiselect(key="accounts_portfolios").select(FENCE)
    at.text_input(key="accounts_password").input(PASSWORD)
    at.text_input(key="accounts_repeat").input(PASSWORD)
    next(b for b in at.button if b.label == i18n.EN["acc.add"]).click().run()
    assert accounts.verify("zed", PASSWORD, db=office).portfolios == (FENCE,)  # type: ignore[union-attr]
    at.selectbox(key="accounts_remove").select("zed").run()
    at.button(key="accounts_remove_confirm").click().run()
    assert "zed" not in accounts.accounts(office)
    assert "ada" not in at.selectbox(key="accounts_remove").options, "an admin never removes their own account"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        signed("ann").switch_page("app_pages/accounts.py")


class IdentityProviderUser(dict):
    """What st.user holds after st.login with the office's identity provider (OIDC claims)."""

    def __init__(self, email: str | None):
        super().__init__(email=email)
        self.is_logged_in = email is not None


def test_the_identity_provider_signs_in_sso_accounts_only(signed, office: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_sso_configured", lambda: True)  # as with an [auth] section in secrets.toml
    monkeypatch.setattr("streamlit.user", IdentityProviderUser(None))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert i18n.EN["auth.sso"] in [b.label for b in at.button], "the sign-in page offers the identity provider"
    accounts.add("cio@example.org", "viewer", password=None, portfolios=(FENCE,), db=office)
    try:
        monkeypatch.setattr("streamlit.user", IdentityProviderUser("cio@example.org"))
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        assert at.metric and "Signed in as cio@example.org (viewer; Growth)" in [c.value for c in at.sidebar.caption]
        monkeypatch.setattr("streamlit.user", IdentityProviderUser("stranger@example.org"))
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        assert [e.value for e in at.error] == [i18n.EN["auth.sso_unknown"].format(email="stranger@example.org")]
        assert not at.metric
    finally:
        accounts.remove("cio@example.org", db=office)
