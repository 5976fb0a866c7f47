"""Every export format read back: a figure the suppression rule hides on the dashboard is hidden in every file,
no unredacted written answer reaches any file, respondents' words are text (never markup or a formula), and
the workbook and report say what they should."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from engagement.analysis.breakdowns import priority_breakdown
from engagement.analysis.demographics import add_dimensions
from engagement.analysis.respondents import respondent_frame
from engagement.cli import main
from engagement.config import DEFAULT_FORM_SLUG
from engagement.db import get_engine, upgrade_database
from engagement.forms import get_form
from engagement.free_text.job import analyse_pending
from engagement.intake import Provenance, submit_many
from tests.conftest import valid_answers

NOTTINGHAM, MANSFIELD = "E06000018", "E07000174"
SECRETS = ("Smith", "07700 900123", "07700900123")
MARKUP = "<script>alert(1)</script>"
LONG_WAIT = ("Waiting times at the GP are far too long and the waiting list for my operation keeps growing "
             f"{MARKUP} so please fix the waiting times")


def _answers(number: int) -> dict:
    answers = valid_answers(district=NOTTINGHAM, age=str(20 + number), sex="female" if number % 2 else "male",
                            digital_innovation=str(1 + number % 5))
    if number < 5:
        answers |= {"best_thing": "Dr Smith on ward 7 was wonderful, ring me on 07700 900123",
                    "three_words": ["Dr Smith", "07700 900123", "slow"]}
    elif number < 20:
        answers |= {"what_matters": LONG_WAIT, "three_words": ["=1+2", "@SUM(1+1)", "kind"]}
    else:
        answers |= {"what_matters": "Seeing a GP quickly when I need one", "best_thing": "The staff are kind"}
    return answers


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """One database (40 people in Nottingham, 3 in Mansfield), and every format exported from it once."""
    folder = tmp_path_factory.mktemp("exports")
    url = f"sqlite:///{folder / 'test.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENGAGEMENT_DATABASE_URL", url)
        upgrade_database(url)
        form = get_form(DEFAULT_FORM_SLUG)
        rows = [(_answers(n), Provenance()) for n in range(40)]
        rows += [(valid_answers(district=MANSFIELD, digital_innovation="1", top_urgent_care="1"), Provenance())
                 for _ in range(3)]
        with Session(get_engine(url)) as session:
            submit_many(session, form, rows)
        analyse_pending(get_engine(url), form)
        files: dict[str, Path] = {"folder": folder}
        runs = {
            "answers.csv": ["--format", "csv"],
            "summary.csv": ["--format", "csv", "--summary"],
            "summary.xlsx": ["--format", "xlsx"],
            "report.html": ["--format", "html"],
            "report.pdf": ["--format", "pdf"],
            "chart.svg": ["--format", "svg"],
            "chart.png": ["--format", "png"],
            "mansfield.html": ["--format", "html", "--place", "Mansfield"],
            "mansfield.pdf": ["--format", "pdf", "--place", "Mansfield"],
            "mansfield.svg": ["--format", "svg", "--place", "Mansfield"],
            "by-place.zip": ["--format", "pdf", "--each-place"],
        }
        for name, args in runs.items():
            result = CliRunner().invoke(main, ["export", *args, "--out", str(folder / name)])
            assert result.exit_code == 0, (name, result.output)
            files[name] = folder / name
        files["dashboard"] = priority_breakdown(add_dimensions(respondent_frame(get_engine(url), form), form),
                                                form, "place")
        yield files


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


class _Cells(HTMLParser):
    """The text of every table row, cell by cell (the report's tables, as a reader sees them)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.rows[-1].append("")
            self.in_cell = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][-1] += data.strip()


def _html_rows(path: Path) -> list[list[str]]:
    parser = _Cells()
    parser.feed(path.read_text())
    return parser.rows


def _every_text(files: dict[str, Path]) -> dict[str, str]:
    """Every file's readable text: CSV and HTML as written, workbook cells, PDF text, SVG, alt text, zip members."""
    texts = {}
    folder = files["folder"]
    for path in folder.iterdir():
        if path.suffix in (".csv", ".html", ".svg", ".txt"):
            texts[path.name] = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".pdf":
            texts[path.name] = _pdf_text(path)
        elif path.suffix == ".xlsx":
            book = load_workbook(path)
            texts[path.name] = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                                         for v in row if v is not None)
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    data = archive.read(member)
                    texts[f"{path.name}:{member}"] = (_pdf_text(io.BytesIO(data)) if member.endswith(".pdf")
                                                      else data.decode())
    return texts


def test_a_figure_hidden_on_the_dashboard_is_hidden_in_every_format(exported):
    dashboard = exported["dashboard"]
    hidden = dashboard[dashboard["group"].eq("Mansfield")]
    assert hidden["suppressed"].all() and hidden["pct"].isna().all()  # what the dashboard shows: no figure

    summary = [r for r in _csv(exported["summary.csv"]) if r["Group"] == "Mansfield"]
    assert len(summary) == len(hidden)
    assert {r["% Important or Very important"] for r in summary} == {"*"}
    assert {r["95% interval from"] for r in summary} == {"*"}

    sheet = load_workbook(exported["summary.xlsx"])["By local authority area"]
    heading = [c.value for c in sheet[1]]
    pct = heading.index("% Important or Very important")
    mansfield = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Mansfield"]
    assert len(mansfield) == len(hidden) and {row[pct] for row in mansfield} == {"*"}
    assert any(str(row[0]).startswith("* Not shown") for row in sheet.iter_rows(values_only=True))

    # Mansfield's own report: every priority figure hidden, in the web page, the PDF and the chart's data.
    rows = [r for r in _html_rows(exported["mansfield.html"]) if r and r[0] in set(hidden["item"])]
    assert len(rows) == len(hidden) and all(r[2] == "*" for r in rows), rows
    pdf = _pdf_text(exported["mansfield.pdf"])
    assert "* Not shown, to protect the people who answered" in pdf
    # Mansfield's three people all rated Mental health Important: 100% is the figure that must not show.
    assert re.search(r"Mental health\s+\*\s+\*", pdf) and "(100%)" not in pdf and "most often rated" not in pdf
    svg = exported["mansfield.svg"].read_text()
    assert "%</text>" not in svg and ">*</text>" in svg
    alt = (exported["folder"] / "mansfield-priorities-alt-text.txt").read_text()
    assert "not shown because too few people rated them" in alt


def test_no_unredacted_written_answer_reaches_any_file(exported):
    texts = _every_text(exported)
    assert {"answers.csv", "summary.xlsx", "report.pdf", "report-easy-read.pdf", "report.html", "chart.svg",
            "chart-priorities-alt-text.txt"} <= set(texts)
    assert any(name.startswith("by-place.zip:") for name in texts)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    answers = _csv(exported["answers.csv"])
    assert "slow" in {r["answer_label"] for r in answers if r["question_id"] == "three_words"}


def test_respondents_words_are_text_never_markup_or_formula(exported):
    html = exported["report.html"].read_text()
    assert MARKUP not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the quote is there, as escaped text
    words = [r["answer_label"] for r in _csv(exported["answers.csv"]) if r["question_id"] == "three_words"]
    assert "'=1+2" in words and "'@SUM(1+1)" in words and "=1+2" not in words
    book = load_workbook(exported["summary.xlsx"])
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_workbook_has_every_sheet_frozen_headings_readable_widths_and_numbers_as_numbers(exported):
    book = load_workbook(exported["summary.xlsx"])
    assert book.sheetnames[:2] == ["Priorities overall", "By local authority area"]
    assert {"Themes", "Quotes by theme", "Who responded vs Census", "Coverage vs targets", "Seldom-heard coverage",
            "Data dictionary", "Method and caveats", "By age band", "By sex"} <= set(book.sheetnames)
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(8 <= sheet.column_dimensions[c].width <= 80 for c in "AB"), sheet.title
    overall = book["Priorities overall"]
    heading = [c.value for c in overall[1]]
    assert heading[:5] == ["Item", "Respondents (n)", "% Important or Very important", "95% interval from",
                           "95% interval to"]
    items = [row for row in overall.iter_rows(min_row=2) if row[0].value][:8]
    assert all(isinstance(row[1].value, int) and row[1].value == 43 for row in items)
    # Urgent care: 40 of 43 (3 did not rate it important), so its share reads "*"; the rest are numbers.
    assert [row[2].value for row in items if not isinstance(row[2].value, int | float)] == ["*"]
    assert items[0][0].value == "Urgent and emergency care" and items[0][2].value == "*"
    shown = next(row for row in items if isinstance(row[2].value, int | float))
    assert shown[3].value <= shown[2].value <= shown[4].value
    assert shown[2].number_format == "0.0" and shown[2].data_type == "n"
    dictionary = [row for row in book["Data dictionary"].iter_rows(values_only=True)]
    urgent_care = next(row for row in dictionary if row[0] == "top_urgent_care")
    assert urgent_care[1] == "priorities" and urgent_care[4:] == ("1", "Not important at all")
    method = "\n".join(str(r[0]) for r in book["Method and caveats"].iter_rows(values_only=True))
    assert "Based on 43 responses" in method and "not a random sample" in method


def test_report_has_the_cover_sheet_caveat_and_sections_and_a_zip_per_place(exported):
    pdf = _pdf_text(exported["report.pdf"])
    for words in ("Meeting", "Report title", "Report author", "Recommendations", "Citizen engagement",
                  "Equality impact assessment", "Headline numbers", "Priorities", "What people value",
                  "Differences by place and group", "Who responded, compared with the population",
                  "Seldom-heard groups", "Method", "Based on 43 responses received by"):
        assert words in pdf, words
    easy = _pdf_text(exported["folder"] / "report-easy-read.pdf")
    assert "43 people answered our survey." in easy
    html = exported["report.html"].read_text()
    assert 'alt="Bar chart. Priorities' in html
    with zipfile.ZipFile(exported["by-place.zip"]) as archive:
        names = archive.namelist()
    assert any("nottingham" in n and n.endswith("report.pdf") for n in names)
    assert any("mansfield" in n for n in names) and "places-with-no-responses.txt" in names
