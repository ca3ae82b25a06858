"""The README is the user's manual (every page, command and image it names), and pmo.toml holds only live settings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dashboard.i18n import EN
from pipelines.cli import _parser

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", sorted(p.stem for p in (REPO / "dashboard" / "app_pages").glob("*.py")))
def test_readme_names_every_page(page):
    assert f"**{EN[f'page.{page}']}**" in README, f"README's page table lacks {EN[f'page.{page}']!r}"


def test_readme_names_every_command_and_option():
    commands = _parser()._subparsers._group_actions[0].choices  # argparse keeps subcommands here
    for name, sub in commands.items():
        assert f"`pmo {name}" in README, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert re.search(rf"{flag}\b", README), f"README does not document pmo {name} {flag}"


INLINE_TABLES = {"health.weights", "documents.mandatory"}  # settings whose value is a table of their own


def _settings(table: dict, prefix: str = "") -> list[str]:
    """Every setting of pmo.toml as a dotted key, e.g. 'health.cost.full_at'."""
    keys = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        keys += _settings(value, f"{dotted}.") if isinstance(value, dict) and dotted not in INLINE_TABLES else [dotted]
    return keys


def test_every_setting_in_the_config_file_is_read_by_the_code():
    with (REPO / "pmo.toml").open("rb") as fh:
        config = tomllib.load(fh)
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("pipelines", "dashboard", "checks")
                     for p in (REPO / folder).rglob("*") if p.suffix in (".py", ".sql"))
    keys = _settings(config)
    assert len(keys) > 30
    # read as a cfg_setting key ('health.stale_after_days') or by name from its section ("green_low")
    spellings = {k: (f"'{k}'", f'"{k}"', f'"{k.rsplit(".", 1)[-1]}"') for k in keys}
    unread = [k for k, quoted in spellings.items() if not any(q in code for q in quoted)]
    assert not unread, f"pmo.toml settings nothing reads: {unread}"


def test_every_image_the_readme_shows_is_committed():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(images) >= 3
    assert [i for i in images if not (REPO / i).is_file()] == []
