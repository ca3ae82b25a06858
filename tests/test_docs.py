"""The README is the user's manual: every page, command and configuration section it must name."""

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


def test_every_config_section_is_used_by_the_code():
    with (REPO / "pmo.toml").open("rb") as fh:
        sections = tomllib.load(fh)
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*(REPO / "pipelines").rglob("*.py"),
                                                            *(REPO / "pipelines").rglob("*.sql"),
                                                            *(REPO / "dashboard").rglob("*.py"),
                                                            *(REPO / "checks").rglob("*.py")])
    unused = [s for s in sections if f'"{s}"' not in code and f"'{s}." not in code]
    assert not unused, f"pmo.toml sections nothing reads: {unused}"


def test_every_image_the_readme_shows_is_committed():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(images) >= 3
    assert [i for i in images if not (REPO / i).is_file()] == []
