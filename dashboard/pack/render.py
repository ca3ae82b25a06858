"""The pack's three layouts of the same content: one self-contained HTML file (Plotly embedded once, no external
URL), a PDF (that HTML with the charts as images, printed by Debian's chromium) and an editable PPTX (python-pptx:
text and tables as text, charts as images). Every value from the data is text, escaped wherever it is shown."""

from __future__ import annotations

import base64
import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import kaleido
import pandas as pd
from pptx import Presentation
from pptx.util import Emu, Pt

from dashboard.i18n import t
from dashboard.pack.content import Block, Pack
from dashboard.ui import Tile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
IMAGE_SIZE = (1100, 480)  # px of a chart image (PDF and PPTX)
CHART_TIMEOUT = 300  # s for one chart image; a loaded 2-core machine needs far less, a hung one is stopped
CSS = """
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Segoe UI", sans-serif; color: #212121; margin: 24px; }
h1 { font-size: 26px; } h2 { font-size: 20px; border-bottom: 2px solid #3949ab; padding-bottom: 4px; }
section { break-before: page; } section:first-of-type { break-before: auto; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
.tile { border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; min-width: 130px; }
.tile .label { font-size: 12px; color: #616161; } .tile .value { font-size: 20px; font-weight: 600; }
.tile .delta { font-size: 12px; color: #616161; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 14px; width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #e8eaf6; } td.num { text-align: right; white-space: nowrap; }
.caption { font-size: 12px; color: #616161; } img.chart { width: 100%; max-width: 1100px; }
@page { size: A4 landscape; margin: 12mm; }
"""


class RenderError(RuntimeError):
    """A renderer's tool (chromium) is missing or failed; the message says which."""


def to_html(pack: Pack, images: dict[int, bytes] | None = None) -> str:
    """The pack as one HTML document. With `images` (id(figure) -> PNG) charts are static images (for print),
    else interactive Plotly with plotly.js embedded once, in the first chart."""
    parts, first_chart = [], True
    for section in pack.sections:
        body = [f"<h2>{html.escape(section.title)}</h2>"]
        for block in section.blocks:
            if block.kind == "figure":
                if images is not None:
                    data = base64.b64encode(images[id(block.value)]).decode()
                    body.append(f'<img class="chart" alt="" src="data:image/png;base64,{data}">')
                else:
                    body.append(block.value.to_html(full_html=False, include_plotlyjs=first_chart,
                                                    config={"displaylogo": False}))
                    first_chart = False
            else:
                body.append(_html_block(block))
        parts.append(f"<section>{''.join(body)}</section>")
    lang = "zh-CN" if pack.lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(pack.title)}'
            f"</title><style>{CSS}</style></head><body><h1>{html.escape(pack.title)}</h1>{''.join(parts)}"
            "</body></html>")


def _html_block(block: Block) -> str:
    if block.kind == "text":
        return f"<p>{html.escape(block.value)}</p>"
    if block.kind == "tiles":
        return '<div class="tiles">' + "".join(_html_tile(tile) for tile in block.value) + "</div>"
    caption = f'<p class="caption">{html.escape(block.caption)}</p>' if block.caption else ""
    df: pd.DataFrame = block.value
    if df.empty:
        return caption + f'<p class="caption">{html.escape(t("ui.no_rows"))}</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(_html_cell(v) for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"{caption}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _html_tile(tile: Tile) -> str:
    value = t("ui.unknown") if tile.unknown_reason else tile.value
    delta = " ".join(x for x in (tile.delta or "", tile.delta_description or "", tile.unknown_reason or "") if x)
    return (f'<div class="tile"><div class="label">{html.escape(tile.label)}</div>'
            f'<div class="value">{html.escape(value)}</div><div class="delta">{html.escape(delta)}</div></div>')


def cell_text(value: object) -> str:
    """A table cell as text: amounts with thousands separators, indices and shares as shown on the pages."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return t("ui.na")
    if isinstance(value, bool):
        return t("ui.yes") if value else t("ui.no")
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _html_cell(value: object) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="num">{html.escape(cell_text(value))}</td>' if numeric else \
        f"<td>{html.escape(cell_text(value))}</td>"


def chart_images(pack: Pack) -> dict[int, bytes]:
    """Every chart of the pack as a PNG, rendered in one kaleido session on Debian's chromium. Offline by
    construction: plotly.js comes from the plotly package and MathJax (a CDN script by default, which hangs a
    render until it times out where the network drops packets) is off. A chart that fails stops the pack."""
    figures = [b.value for s in pack.sections for b in s.blocks if b.kind == "figure"]
    if not figures:
        return {}
    if Path(CHROMIUM).exists():
        os.environ.setdefault("BROWSER_PATH", CHROMIUM)  # kaleido drives it; it never downloads a browser
    with tempfile.TemporaryDirectory(prefix="pmo-pack-") as folder:
        paths = [Path(folder) / f"{i}.png" for i in range(len(figures))]
        specs = [{"fig": fig, "path": path, "opts": {"format": "png", "width": IMAGE_SIZE[0],
                                                     "height": IMAGE_SIZE[1]}}
                 for fig, path in zip(figures, paths, strict=True)]
        try:
            kaleido.write_fig_from_object_sync(specs, kopts={"mathjax": False, "timeout": CHART_TIMEOUT},
                                               cancel_on_error=True)
        except Exception as err:  # kaleido's errors name the browser it could not start or the chart that failed
            raise RenderError(f"charts could not be drawn (kaleido with {CHROMIUM}): {err!r}") from err
        missing = [i for i, path in enumerate(paths) if not path.is_file() or not path.stat().st_size]
        if missing:
            raise RenderError(f"kaleido drew no image for chart(s) {missing} of {len(paths)}")
        return {id(fig): path.read_bytes() for fig, path in zip(figures, paths, strict=True)}


def to_pdf(pack: Pack, out: Path) -> None:
    """Chromium prints the static HTML (charts as images) to `out`, A4 landscape, one section per page."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RenderError(f"a PDF needs Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    with tempfile.TemporaryDirectory(prefix="pmo-pack-") as folder:
        page = Path(folder) / "pack.html"
        page.write_text(to_html(pack, chart_images(pack)), encoding="utf-8")
        target = Path(folder) / "pack.pdf"
        done = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={folder}/profile",
                               f"--print-to-pdf={target}", page.as_uri()], capture_output=True, timeout=180)
        if not target.exists():
            raise RenderError(f"chromium did not print the pack (exit {done.returncode})")
        shutil.move(target, out)


def to_pptx(pack: Pack, out: Path) -> None:
    """One title slide, then one slide per section (its text, tiles and first table, editable) and one slide
    per chart (an image)."""
    images = chart_images(pack)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Emu(12_192_000), Emu(6_858_000)  # 16:9
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = pack.title
    cover.placeholders[1].text = pack.sections[0].blocks[0].value if pack.sections[0].blocks else ""
    for section in pack.sections:
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
        slide.shapes.title.text = section.title
        top = Emu(1_300_000)
        lines = [b.value for b in section.blocks if b.kind == "text"]
        lines += [f"{tile.label}: {t('ui.unknown') if tile.unknown_reason else tile.value}"
                  + (f" ({tile.delta})" if tile.delta else "")
                  for b in section.blocks if b.kind == "tiles" for tile in b.value]
        if lines:
            box = slide.shapes.add_textbox(Emu(400_000), top, Emu(11_400_000), Emu(1_600_000)).text_frame
            box.word_wrap = True
            for i, line in enumerate(lines[:12]):
                paragraph = box.paragraphs[0] if i == 0 else box.add_paragraph()
                paragraph.text = line
                paragraph.font.size = Pt(12)
            top = Emu(top + 1_700_000)
        table = next((b for b in section.blocks if b.kind == "table" and not b.value.empty), None)
        if table is not None:
            _pptx_table(slide, table.value.head(12), top)
        for block in section.blocks:
            if block.kind == "figure":
                chart = deck.slides.add_slide(deck.slide_layouts[5])
                chart.shapes.title.text = section.title
                with tempfile.NamedTemporaryFile(suffix=".png") as png:
                    png.write(images[id(block.value)])
                    png.flush()
                    chart.shapes.add_picture(png.name, Emu(400_000), Emu(1_300_000), width=Emu(11_400_000))
    deck.save(str(out))


def _pptx_table(slide, df: pd.DataFrame, top: int) -> None:
    columns = list(df.columns)[:7]
    shape = slide.shapes.add_table(len(df) + 1, len(columns), Emu(400_000), Emu(top), Emu(11_400_000),
                                   Emu(300_000 * (len(df) + 1)))
    for j, column in enumerate(columns):
        shape.table.cell(0, j).text = str(column)
    for i, row in enumerate(df[columns].itertuples(index=False), start=1):
        for j, value in enumerate(row):
            shape.table.cell(i, j).text = cell_text(value)[:120]
    for cell in (c for r in shape.table.rows for c in r.cells):
        for paragraph in cell.text_frame.paragraphs:
            paragraph.font.size = Pt(10)
