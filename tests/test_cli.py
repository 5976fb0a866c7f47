"""The `engagement` command, as an administrator would use it."""

from __future__ import annotations

import csv
import json

from click.testing import CliRunner

from engagement.cli import main


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    return result


def stats() -> dict:
    result = run("stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_help_lists_every_command():
    result = run("--help")
    for command in ("db", "demo", "forms", "stats", "export"):
        assert command in result.output


def test_demo_adds_exactly_n_synthetic_responses_and_remove_takes_them_away(db_url):
    before = stats()
    assert run("demo", "--responses", "500", "--seed", "3").exit_code == 0
    after = stats()
    assert after["responses"] == before["responses"] + 500
    assert after["synthetic"] == 500
    assert sum(after["by_channel"].values()) == 500
    assert set(after["by_channel"]) <= {"online", "paper", "event"} and len(after["by_channel"]) == 3
    assert len(after["by_place"]) >= 8
    removed = run("demo", "--remove")
    assert "Removed 500" in removed.output
    assert stats()["responses"] == before["responses"]


def test_demo_first_run_only_loads_once_even_after_removal(db_url):
    assert "Added 20" in run("demo", "--first-run", "--responses", "20").output
    run("demo", "--remove")
    assert "not adding more" in run("demo", "--first-run", "--responses", "20").output
    assert stats()["responses"] == 0


def test_demo_needs_a_count_or_remove(db_url):
    result = run("demo")
    assert result.exit_code != 0 and "--responses N or --remove" in result.output


def test_forms_list_and_describe_json(db_url):
    assert sorted(run("forms", "list").output.split()) == ["what-matters-to-you-2019",
                                                           "what-matters-to-you-2019-easy-read"]
    described = json.loads(run("forms", "describe", "what-matters-to-you-2019", "--json").output)
    assert set(described) == {"slug", "version", "title", "questions"}
    first = next(q for q in described["questions"] if q["id"] == "top_urgent_care")
    assert {"id", "type", "text", "required", "options"} <= set(first)
    assert first["options"][2] == {"code": "3", "label": "Neither unimportant or important"}


def test_forms_validate_fails_on_a_broken_file_naming_it(tmp_path):
    broken = tmp_path / "bad.yaml"
    broken.write_text("slug: bad\nversion: 0\ntitle: Bad\nsections: []\n")
    result = run("forms", "validate", str(broken))
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "version" in result.output
    assert run("forms", "validate").exit_code == 0


def test_export_csv_has_one_row_per_response_and_question_with_text_and_label(db_url, tmp_path):
    run("demo", "--responses", "10", "--seed", "1")
    out = tmp_path / "answers.csv"
    result = run("export", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["response_reference"] for r in rows} and len({r["response_reference"] for r in rows}) == 10
    workforce = [r for r in rows if r["question_id"] == "supporting_our_workforce"]
    assert len(workforce) == 10
    assert workforce[0]["question_text"].startswith("Supporting our workforce - Making sure")
    assert workforce[0]["answer_label"] in {
        "Not important at all", "Not very important", "Neither unimportant or important", "Important",
        "Very important",
    }
    assert {r["is_synthetic"] for r in rows} == {"True"}


def test_a_file_to_write_in_a_folder_that_does_not_exist_gets_a_plain_message(db_url, tmp_path):
    """Found when this was tried: `privacy export`, `import --template`, `import rejected`, `nlp predict` and
    `nlp suggest` ended in a traceback when the file to write was in a folder that does not exist (after the
    work was done, and the subject access logged)."""
    assert run("demo", "--responses", "1", "--seed", "3").exit_code == 0
    reference = run("export", "--format", "csv", "--out", str(tmp_path / "all.csv"))
    assert reference.exit_code == 0, reference.output
    with open(tmp_path / "all.csv", encoding="utf-8-sig") as file:
        first_reference = next(csv.DictReader(file))["response_reference"]
    missing = tmp_path / "no-such-folder"
    comments = tmp_path / "in.csv"
    comments.write_text("id,text\n1,The nurses were kind\n")
    for args in (["privacy", "export", first_reference, "--out", str(missing / "sar.json")],
                 ["import", "--template", "what-matters-to-you-2019", "--out", str(missing / "t.csv")],
                 ["import", "rejected", "IMP-ANY", "--out", str(missing / "r.csv")],
                 ["nlp", "predict", "--codebook", "px", "--input", str(comments),
                  "--output", str(missing / "p.csv")],
                 ["nlp", "suggest", "--codebook", "px", "--input", str(comments), "--n", "1",
                  "--output", str(missing / "s.csv")]):
        result = run(*args)
        assert result.exit_code != 0, args
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert f"the folder '{missing}' does not exist" in result.output, (args, result.output)


def test_an_unknown_form_is_named_with_the_forms_there_are(db_url):
    """Found when this was tried: `--form` with a slug that does not exist ended in a traceback."""
    for args in (["analyse", "--form", "nope"], ["nlp", "topics", "--form", "nope"],
                 ["demo", "--responses", "1", "--form", "nope"]):
        result = run(*args)
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (args, result.exception)
        assert "no form with slug 'nope'" in result.output and "what-matters-to-you-2019" in result.output
