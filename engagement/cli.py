"""The `engagement` command: database, demo data, forms, statistics and exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engagement.commands import duplicates as duplicate_commands
from engagement.commands import exports as export_commands
from engagement.commands import imports as import_commands
from engagement.commands import privacy as privacy_commands
from engagement.commands import users as users_commands
from engagement.commands.paths import file_to_write
from engagement.config import DEFAULT_FORM_SLUG, database_url
from engagement.db import get_engine, session_scope, upgrade_database
from engagement.forms import check_form_file, get_form
from survey_forms import FormFileError, list_forms


def _known_form(_ctx: click.Context, _param: click.Parameter, slug: str) -> str:
    try:
        get_form(slug)
    except FormFileError as exc:
        raise click.BadParameter(str(exc)) from None
    return slug


FORM_OPTION = click.option(
    "--form", "form_slug", default=DEFAULT_FORM_SLUG, show_default=True, help="Survey form slug.",
    callback=_known_form,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """What matters to you: survey and insight platform for Nottingham and Nottinghamshire."""


@main.group()
def db() -> None:
    """Create and migrate the database (ENGAGEMENT_DATABASE_URL, default SQLite under var/)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or migrate it to the newest schema."""
    upgrade_database()
    click.echo(f"Database is up to date: {_safe_url(database_url())}")


def _safe_url(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@main.command()
@click.option("--responses", "count", type=click.IntRange(min=1), help="How many synthetic responses to add.")
@click.option("--seed", type=int, default=None, help="Random seed, for repeatable demo data.")
@click.option("--remove", is_flag=True, help="Delete every synthetic response.")
@click.option("--first-run", is_flag=True, help="Only add demo data if none was ever loaded here.")
@click.option("--easy-read", "easy_read", type=click.IntRange(min=0), default=0,
              help="How many of the responses come through the survey's Easy Read version.")
@FORM_OPTION
def demo(count: int | None, seed: int | None, remove: bool, first_run: bool, easy_read: int, form_slug: str) -> None:
    """Add synthetic demo responses (marked as synthetic everywhere), or remove them all."""
    from engagement.demo import add_demo_responses, demo_was_ever_loaded, remove_demo_responses

    if remove == bool(count):
        raise click.UsageError("Give either --responses N or --remove.")
    with session_scope() as session:
        if remove:
            removed = remove_demo_responses(session)
            click.echo(f"Removed {removed} synthetic demo responses.")
            return
        if first_run and demo_was_ever_loaded(session):
            click.echo("Demo data was loaded here before; not adding more (use without --first-run to add).")
            return
        form = get_form(form_slug)
        if standard := form.definition.easy_read_of:  # demo answers use the standard form's questions
            raise click.ClickException(
                f"Demo responses are made with the standard survey's questions; '{form.slug}' is its Easy Read "
                f"version. Add them to '{standard}' instead.")
        if easy_read > count:
            raise click.BadParameter(f"{easy_read} is more than the {count} responses to add.",
                                     param_hint="'--easy-read'")
        try:
            added = add_demo_responses(session, form, count, seed=seed, easy_read=easy_read)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Added {added} synthetic demo responses. Remove them with: engagement demo --remove")


@main.group()
def forms() -> None:
    """List, check and describe survey forms."""


@forms.command("list")
def forms_list() -> None:
    """Print the slug of every form the product serves."""
    for path in list_forms():
        try:
            click.echo(check_form_file(path).slug)
        except FormFileError as exc:
            click.echo(f"(broken) {exc}", err=True)


@forms.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def forms_validate(files: tuple[Path, ...]) -> None:
    """Check form files (default: every shipped form). Exits 1 naming the file and field of each problem."""
    failed = False
    for path in files or tuple(list_forms()):
        try:
            form = check_form_file(path)
        except FormFileError as exc:
            failed = True
            click.echo(f"FAIL {exc}", err=True)
        else:
            click.echo(f"ok   {path}: {form.slug} v{form.version}, {len(form.questions)} questions")
    if failed:
        sys.exit(1)


@forms.command("describe")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the form as JSON.")
def forms_describe(slug: str, as_json: bool) -> None:
    """Show a form's questions and allowed answers."""
    try:
        form = get_form(slug)
    except FormFileError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(form.as_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{form.title} ({form.slug} v{form.version})")
    for spec in form.questions:
        required = " [required]" if spec.required else ""
        click.echo(f"- {spec.id} ({spec.type}){required}: {spec.text}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(as_json: bool) -> None:
    """Response counts: total, synthetic, by channel and by place."""
    from engagement.analysis.counts import response_counts

    counts = response_counts(get_engine())
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(f"Responses: {counts['responses']} (of which synthetic demo data: {counts['synthetic']})")
    for heading in ("by_channel", "by_place"):
        click.echo(heading.replace("_", " ").capitalize() + ":")
        for key, value in counts[heading].items():
            click.echo(f"  {key}: {value}")


@main.command()
@FORM_OPTION
def analyse(form_slug: str) -> None:
    """Analyse every respondent-written answer not yet analysed by the current model version (themes,
    sentiment, personal-data redaction). Only one analyser runs per survey across all app instances."""
    from engagement.free_text.job import AnalysisAlreadyRunning, analyse_pending
    from nlp import NerModelMissing

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=f"Analysing {total:,} answers", show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        count = analyse_pending(get_engine(), get_form(form_slug), progress=progress)
    except AnalysisAlreadyRunning as exc:
        raise click.ClickException(f"{exc} Nothing to do here; try again when it has finished.") from None
    except NerModelMissing as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"Analysed {count:,} free-text answers.")


@main.group("nlp")
def nlp_group() -> None:
    """Codebooks, model training, topic discovery and file prediction for free text."""


@nlp_group.command("codebooks")
def nlp_codebooks() -> None:
    """List the codebooks (data/codebooks/*.yaml) and their number of themes."""
    import nlp

    for slug in nlp.list_codebooks():
        codebook = nlp.load_codebook(slug)
        click.echo(f"{slug}: {len(codebook.themes)} themes")


@nlp_group.command("train")
@click.option("--codebook", required=True, help="Codebook slug, for example wmty or px.")
def nlp_train(codebook: str) -> None:
    """Retrain a codebook's theme model, learning from every analyst decision stored here."""
    import nlp
    from engagement.free_text.review import analyst_training_examples
    from engagement.free_text.stored import stored_comments

    with session_scope() as session:
        examples = analyst_training_examples(session, codebook)
        comments = stored_comments(session, codebook)
    try:
        report = nlp.train_codebook_model(codebook, examples, comments)
    except (ValueError, nlp.CodebookError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Trained {report.codebook} on {report.examples:,} examples ({report.analyst_examples:,} from analysts); "
        f"saved {report.model_path}. Run `engagement analyse` to re-analyse answers with it."
    )


@nlp_group.command("topics")
@click.option("--question", default="what_matters", show_default=True, help="Free-text question id.")
@click.option("--topics", "n_topics", default=8, show_default=True, type=click.IntRange(1, 30))
@FORM_OPTION
def nlp_topics(question: str, n_topics: int, form_slug: str) -> None:
    """Discover topics in one question's (redacted) answers, to show what the codebook misses."""
    import nlp
    from engagement.free_text.job import AnalysisAlreadyRunning, analyse_pending
    from engagement.free_text.review import comments_for_review

    form = get_form(form_slug)
    written = [spec.id for spec in form.questions if spec.type == "free_text"]
    if question not in written:
        raise click.ClickException(f"--question: '{question}' is not a written-answer question of {form.slug}; "
                                   f"use one of: {', '.join(written)}")
    try:
        analyse_pending(get_engine(), form)
    except AnalysisAlreadyRunning as exc:
        click.echo(f"{exc} Topics are found in the answers analysed so far.", err=True)
    texts = comments_for_review(get_engine(), form, question)["redacted_text"].tolist()
    for number, topic in enumerate(nlp.discover_topics(texts, n_topics), start=1):
        click.echo(f"Topic {number} ({topic.size} answers): {', '.join(topic.terms)}")
        for example in topic.examples:
            click.echo(f"    “{example}”")


ADAPT_OPTION = click.option(
    "--adapt", "coded_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of comments an analyst coded (id, text, optional question and sentiment, one 0/1 column per label "
         "named as predict writes them): the model is adapted to them first.",
)


def _model_for(codebook: str, coded_csv: Path | None):  # noqa: ANN202 - nlp is imported late for start-up speed
    """The shipped theme model, or the one adapted to an analyst's coded comments (summary to stderr); the
    sentiment model adapted to their coded sentiment (None: the shipped one); the coded comments' ids."""
    import nlp
    from nlp.adapt import adapt_to_coded_comments, shipped_theme_model
    from nlp.comment_files import read_coded_comments

    if coded_csv is None:
        return shipped_theme_model(codebook), None, []
    loaded = nlp.load_codebook(codebook)
    coded = read_coded_comments(coded_csv, loaded)
    adaptation = adapt_to_coded_comments(loaded.slug, coded)
    click.echo(adaptation.summary([theme.label for theme in loaded.themes]), err=True)
    return adaptation.model, adaptation.sentiment, coded.ids


@nlp_group.command("predict")
@click.option("--codebook", required=True, help="Codebook slug, for example px or wmty.")
@click.option("--input", "in_csv", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns id and text, and optionally question.")
@click.option("--output", "out_csv", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write id, sentiment and one 0/1 column per codebook label.", callback=file_to_write)
@ADAPT_OPTION
def nlp_predict(codebook: str, in_csv: Path, out_csv: Path, coded_csv: Path | None) -> None:
    """Code a CSV of comments with a codebook: every input id appears once in the output."""
    import nlp

    try:
        model, sentiment, _ = _model_for(codebook, coded_csv) if coded_csv else (None, None, [])
        rows = nlp.predict_file(in_csv, out_csv, codebook, theme_model=model, sentiment_model=sentiment)
    except (ValueError, nlp.CodebookError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {rows:,} rows to {out_csv}", err=True)


@nlp_group.command("suggest")
@click.option("--codebook", required=True, help="Codebook slug, for example px or wmty.")
@click.option("--input", "in_csv", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns id and text, and optionally question.")
@click.option("--n", "count", required=True, type=click.IntRange(min=1), help="How many comments to suggest.")
@click.option("--output", "out_csv", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the id (and rank) of each suggested comment, first to code first.",
              callback=file_to_write)
@ADAPT_OPTION
def nlp_suggest(codebook: str, in_csv: Path, count: int, out_csv: Path, coded_csv: Path | None) -> None:
    """Choose the comments an analyst should code first to teach the model most: those it is least sure about,
    and different from each other. With --adapt, the next batch after the comments already coded."""
    import nlp
    from nlp.suggest import suggest_file

    try:
        model, _, coded_ids = _model_for(codebook, coded_csv)
        written = suggest_file(in_csv, out_csv, codebook, count, model, exclude_ids=coded_ids)
    except (ValueError, nlp.CodebookError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {written:,} suggested comments to {out_csv}"
               + (f" (the input has {written:,} comments to code)" if written < count else ""), err=True)


@nlp_group.command("evaluate")
@click.option("--codebook", default="px", show_default=True)
@click.option("--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A labelled file, for example the pxtextmining v6 framework CSV.")
@click.option("--format", "data_format", default="pxtextmining-v6", show_default=True,
              type=click.Choice(["pxtextmining-v6"]))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def nlp_evaluate(codebook: str, data_path: Path, data_format: str, as_json: bool) -> None:
    """Score the shipped models on a labelled file: micro-F1, macro-F1 (labels with at least 5 positives),
    samples-F1, per-label F1, and sentiment accuracy, macro-F1 and negative recall."""
    from nlp.evaluate import evaluate_file

    try:
        evaluation = evaluate_file(data_path, codebook=codebook, data_format=data_format)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(evaluation.to_json() if as_json else evaluation.to_text())


from engagement.commands.insight import priorities  # noqa: E402
from engagement.commands.population import coverage_command, weights  # noqa: E402

main.add_command(users_commands.users)
main.add_command(privacy_commands.privacy)
main.add_command(weights)
main.add_command(coverage_command)
main.add_command(priorities)
main.add_command(import_commands.import_command)
main.add_command(export_commands.export)
main.add_command(duplicate_commands.duplicates)

if __name__ == "__main__":
    main()
