"""The summary report for the board and the public (HTML, and PDF from the same HTML), and its Easy Read
version. Every piece of text goes through Jinja's autoescaping: respondents' words are shown as text, never
markup. Figures come from the summary's tables, so they are suppressed exactly as everywhere else."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from engagement.analysis.breakdowns import how_it_was_said
from engagement.analysis.suppression import MARK
from engagement.reports.summary import Summary
from engagement.reports.tables import NOTE, Table, coverage_tables, priorities_table, representativeness_table

TEMPLATES = Path(__file__).parent / "templates"
THEMES_IN_REPORT = 8
QUOTED_THEMES = 4


@dataclass(frozen=True)
class CoverSheet:
    """The board cover-sheet fields the 2019 papers used; anything left empty is filled from the figures."""

    meeting: str = "Nottingham and Nottinghamshire ICS Board"
    title: str = ""
    meeting_date: str = ""
    author: str = "Communications and Engagement Team"
    summary: str = ""
    action: str = "To receive"
    recommendations: str = ""
    citizen_engagement: str = ""
    equality_impact: str = ""


def completed_cover(cover: CoverSheet, summary: Summary) -> CoverSheet:
    top = summary.priorities.dropna(subset=["pct"]).sort_values("pct", ascending=False)
    leading = ", ".join(f"{row.item} ({row.pct:.0f}%)" for row in top.head(3).itertuples())
    return replace(
        cover,
        title=cover.title or summary.title,
        meeting_date=cover.meeting_date or _day(summary.generated),
        summary=cover.summary or (
            f"{summary.responses:,} people told us what matters to them about health and care between "
            f"{_day(summary.first_received)} and {_day(summary.last_received)}."
            + (f" The areas most often rated Important or Very important: {leading}." if leading else "")
        ),
        recommendations=cover.recommendations or (
            "The Board is asked to note what people told us, and the groups we have not yet heard enough from, "
            "and to use these findings in planning."
        ),
        citizen_engagement=cover.citizen_engagement or (
            "The engagement ensures that the voice of citizens, patients and staff is reflected in the "
            f"development of local plans. {summary.caveat}"
        ),
        equality_impact=cover.equality_impact or (
            "Responses are compared with Census 2021 by place, age, sex, ethnic group and disability, and "
            f"seldom-heard groups are tracked by place. {summary.caveat}"
        ),
    )


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def html_table(table: Table, footnote: str) -> Markup:
    """A table as escaped HTML: hidden figures "*", footnote under it if any figure is hidden."""
    shown = table.shown()
    if NOTE in shown and not shown[NOTE].astype(str).str.strip().any():
        shown = shown.drop(columns=NOTE)
    numeric = {c for c in table.frame.columns if pd.api.types.is_numeric_dtype(table.frame[c])} | set(table.figures)
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):  # report tables have tens of rows
        cells = "".join(
            f'<td class="num">{escape(_number(v))}</td>' if column in numeric or isinstance(v, int | float)
            else f"<td>{escape(v)}</td>"
            for column, v in zip(shown.columns, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    note = f'<p class="footnote">{escape(footnote)}</p>' if table.has_hidden else ""
    return Markup(f"<table><tr>{head}</tr>{''.join(rows)}</table>{note}")


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _environment(summary: Summary) -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))
    environment.globals.update(table=partial(html_table, footnote=summary.footnote), day=_day)
    return environment


def _theme_sections(summary: Summary) -> list[dict]:
    sections = []
    for section in summary.themes:
        table = section.table.head(THEMES_IN_REPORT)
        said = how_it_was_said(table) if not table.empty else []
        rows = [
            {
                "theme": row.theme,
                "pct": MARK if pd.isna(row.pct) else f"{row.pct:.0f}%",
                "interval": "" if pd.isna(row.ci_low) else f"{row.ci_low:.0f}% to {row.ci_high:.0f}%",
                "said": phrase,
            }
            for row, phrase in zip(table.itertuples(), said, strict=True)
        ]
        quoted = [t for t in table["theme"] if t in set(section.quotes["theme"])][:QUOTED_THEMES]
        quotes = [(theme, section.quotes.loc[section.quotes["theme"].eq(theme), "quote"].tolist()) for theme in quoted]
        base = pd.to_numeric(section.table["n"], errors="coerce").max() if not section.table.empty else 0
        sections.append({"question": section.question, "rows": rows, "quotes": quotes,
                         "base": MARK if pd.isna(base) else f"{int(base):,}"})
    return sections


def _chart_image(summary: Summary) -> dict | None:
    import vl_convert as vlc

    from engagement.reports.chart_files import priorities_chart

    chart = priorities_chart(summary)
    # PNG, not SVG: the PDF renderer measures SVG text with other fonts and clips the item names.
    png = vlc.vegalite_to_png(chart.chart.to_json(), scale=2)
    return {"src": "data:image/png;base64," + base64.b64encode(png).decode(), "alt": chart.alt_text}


def report_html(summary: Summary, cover: CoverSheet | None = None) -> str:
    environment = _environment(summary)
    representativeness = representativeness_table(summary)
    compared = representativeness.frame[summary.representativeness["in_denominator"].astype(bool).to_numpy()]
    _, seldom = coverage_tables(summary)
    everywhere = seldom.frame[seldom.frame["Place"].eq(seldom.frame["Place"].iloc[0])] if not seldom.frame.empty \
        else seldom.frame
    return environment.get_template("report.html.j2").render(
        s=summary,
        cover=completed_cover(cover or CoverSheet(), summary),
        priorities=priorities_table(summary),
        priorities_chart=_chart_image(summary),
        themes=_theme_sections(summary),
        differences=summary.differences,
        representativeness=Table("representativeness", "", compared.reset_index(drop=True),
                                 representativeness.figures),
        seldom=Table("seldom_heard", "", everywhere.reset_index(drop=True), seldom.figures),
    )


ICONS = {
    "people": '<svg viewBox="0 0 64 64" role="img" aria-label="People"><circle cx="22" cy="20" r="9" fill="#005eb8"/>'
              '<circle cx="44" cy="20" r="9" fill="#41b6e6"/><rect x="10" y="32" width="24" height="24" rx="10" '
              'fill="#005eb8"/><rect x="32" y="32" width="24" height="24" rx="10" fill="#41b6e6"/></svg>',
    "calendar": '<svg viewBox="0 0 64 64" role="img" aria-label="Calendar"><rect x="8" y="12" width="48" height="44" '
                'rx="4" fill="#fff" stroke="#005eb8" stroke-width="4"/><rect x="8" y="12" width="48" height="12" '
                'fill="#005eb8"/><rect x="18" y="32" width="8" height="8" fill="#005eb8"/></svg>',
    "star": '<svg viewBox="0 0 64 64" role="img" aria-label="Important"><polygon points="32,4 40,24 62,24 44,38 '
            '51,60 32,46 13,60 20,38 2,24 24,24" fill="#ffb81c"/></svg>',
    "speech": '<svg viewBox="0 0 64 64" role="img" aria-label="What people said"><path d="M8 10h48v32H28l-14 12v-12H8z"'
              ' fill="#41b6e6"/></svg>',
    "scales": '<svg viewBox="0 0 64 64" role="img" aria-label="Not everyone was heard">'
              '<polygon points="32,6 60,58 4,58"'
              ' fill="#ffb81c"/><rect x="29" y="24" width="6" height="18" fill="#212b32"/><rect x="29" y="46" '
              'width="6" height="6" fill="#212b32"/></svg>',
    "heart": '<svg viewBox="0 0 64 64" role="img" aria-label="What happens next"><path d="M32 56 8 32a13 13 0 0 1 24-16'
             ' 13 13 0 0 1 24 16z" fill="#d5281b"/></svg>',
}


@dataclass(frozen=True)
class EasyReadPoint:
    icon: str
    text: str


def easy_read_points(summary: Summary) -> list[EasyReadPoint]:
    """Short sentences, one idea each, each with a picture."""
    points = [
        EasyReadPoint("people", f"{summary.responses:,} people answered our survey."),
        EasyReadPoint("calendar", f"They answered between {_day(summary.first_received)} and "
                                  f"{_day(summary.last_received)}."),
    ]
    if summary.easy_read and not pd.isna(summary.easy_read):
        points.append(EasyReadPoint("people", f"{int(summary.easy_read):,} "
                                              f"{'person' if summary.easy_read == 1 else 'people'} answered the "
                                              "Easy Read survey."))
    if summary.synthetic:
        points.append(EasyReadPoint("scales", "This is practice information. It is not from real people."))
    top = summary.priorities.dropna(subset=["pct"]).sort_values("pct", ascending=False).head(3)
    points += [EasyReadPoint("star", f"{row.pct:.0f} out of 100 people said {row.item} is important.")
               for row in top.itertuples()]
    for section in summary.themes[-1:]:
        themes = section.table.dropna(subset=["pct"]).head(3)["theme"].tolist()
        points += [EasyReadPoint("speech", f"People told us about {theme.lower()}.") for theme in themes]
    if summary.representativeness["under_represented"].astype(bool).any():
        points.append(EasyReadPoint("scales", "We did not hear from enough people in some groups."))
        points.append(EasyReadPoint("scales", "We want to hear from them next."))
    points.append(EasyReadPoint("heart", "We will use what you told us to plan health and care."))
    return points


def easy_read_html(summary: Summary) -> str:
    return _environment(summary).get_template("easy_read.html.j2").render(
        s=summary, points=easy_read_points(summary), icons=ICONS)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def you_said_we_did_html(register: pd.DataFrame, survey_title: str, theme_labels: dict[str, str],
                         easy_read: bool = False) -> str:
    """The published "You said, we did" page (or its Easy Read version) from register(published_only=True)."""
    from engagement.places import place_name
    from engagement.you_said_we_did import STATUSES

    actions = [
        {
            "you_said": row.you_said, "we_did": row.we_did, "owner": row.owner,
            "status": STATUSES.get(row.status, row.status), "quotes": row.quotes,
            "themes": ", ".join(theme_labels.get(code, code) for code in row.themes),
            "places": ", ".join(place_name(code) for code in row.places),
            "people": None if pd.isna(row.people) else f"{int(row.people):,}",
        }
        for row in register.itertuples()
    ]
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))
    return environment.get_template("you_said_we_did.html.j2").render(
        survey=survey_title, actions=actions, easy=easy_read, icons=ICONS)
