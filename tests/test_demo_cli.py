"""`engagement demo` on a survey it cannot make answers for says so in a sentence, never a traceback."""

from __future__ import annotations

from click.testing import CliRunner

from engagement.cli import main
from engagement.forms import easy_read_version


def test_demo_responses_for_an_easy_read_version_are_refused_in_plain_words(db_url, form):
    easy = easy_read_version(form.slug)
    result = CliRunner().invoke(main, ["demo", "--responses", "5", "--form", easy.slug])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert (f"Demo responses are made with the standard survey's questions; '{easy.slug}' is its Easy Read "
            f"version. Add them to '{form.slug}' instead.") in result.output
