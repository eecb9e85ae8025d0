"""Every page of the sample pack, in Chinese and in English, speaks one language (issue 11):
a Chinese page shows no code words (lowercase ASCII identifiers but for file names and a few
units and brands), an English page no Chinese but the data's own (names, regions, teams,
positions, notes); and the score details fit a 1280 px window. Northwind Retail's pages get the
same crawl in tests/test_retail.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.pack.render import chromium
from tests.pages import chinese_words, code_words, data_values, other_language
from tests.test_cli import said

runner = CliRunner()

def offenders(pack: Path, lang: str, config, data) -> str:
    """The pages with words of the other language, one line each: page: its distinct words."""
    found = other_language(pack, lang, data_values(config, data))
    return "\n".join(f"{page}: {' '.join(sorted(words))}" for page, words in found.items())


@pytest.fixture(scope="module", params=["zh", "en"])
def sample_pack(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"sample-{request.param}")
    result = runner.invoke(app, ["pack", "--lang", request.param, "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, said(result)
    return request.param, out / "2026Q3"


@pytest.mark.slow
def test_every_sample_page_speaks_its_language(sample_pack, config, sample):
    lang, pack = sample_pack
    assert len(list(pack.rglob("*.html"))) > 40
    assert not (found := offenders(pack, lang, config, sample)), f"words of the other language:\n{found}"


PAGE = """<html><head><title>销售部 · 2026Q3</title><style>.x{color:red}</style></head><body>
<p>续约客户数 53；应续约客户数 60 · renewed=53 · 3 kg · 样本数 n · Kendall τb</p>
<a href="sales/10_overview.html">sales/10_overview.html</a> <img alt="图表 of all">
<input placeholder="Filter by name">
<p>Sales · 张三 · 华东 · 表现突出，超出预期 · 销售部</p></body></html>"""


def test_a_chinese_page_is_read_for_code_words_as_a_reader_sees_it():
    assert code_words(PAGE) == {"renewed", "n", "of", "all", "by", "name"}  # not kg, τb, the file name, CSS


def test_an_english_page_is_read_for_chinese_but_the_datas_own(config, sample):
    data = data_values(config, sample)
    person = sample.employees["name"].iloc[0]
    page = PAGE.replace("张三", person).replace("表现突出，超出预期", sample.ratings["note"].dropna().iloc[-1])
    assert person in page and data.search(person)
    assert chinese_words(page, data) == {"销售部", "续约客户数", "；应续约客户数", "样本数", "图表"}


FIT = """<script>
var main = document.querySelector('main'), style = getComputedStyle(main), widest = 0;
var room = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
document.querySelectorAll('div.card table').forEach(function (t) { widest = Math.max(widest, t.scrollWidth); });
document.body.setAttribute('data-fit', widest + '|' + room);
</script></body>"""


@pytest.mark.slow
def test_score_details_fit_a_1280_px_window(sample_pack, tmp_path):
    """The widest score card of the sales department (English words are the longest) is no
    wider than the page at 1280 px, in headless Chromium (it scrolled sideways before)."""
    _, pack = sample_pack
    page = tmp_path / "details.html"
    page.write_text((pack / "sales" / "70_details.html").read_text(encoding="utf-8").replace("</body>", FIT, 1),
                    encoding="utf-8")
    dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                          "--window-size=1280,900", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    widest, room = map(float, re.search(r'data-fit="([^"]*)"', dom).group(1).split("|"))
    assert 0 < widest <= room
