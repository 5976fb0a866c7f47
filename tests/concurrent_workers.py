"""Worker processes for the concurrency tests, started as separate programs (not multiprocessing, which
re-imports whatever script ran last as __main__):

    python -m tests.concurrent_workers submit URL NUMBER    # one person's form, sent twice at once
    python -m tests.concurrent_workers analyse URL          # one analyser, as another app instance would be

Each prints "ready" once loaded, waits for a line on standard input (the start signal, so they all start
together), then prints its result as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
FORM = "what-matters-to-you-2019"


def submit(url: str, number: int) -> list[str]:
    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.intake import Provenance, submit_response
    from tests.conftest import valid_answers

    form = get_form(FORM)
    answers = valid_answers(what_matters=f"Comment from submitter {number}")
    provenance = Provenance(submission_key=f"form-instance-{number}")
    references: list[str] = []

    def send() -> None:
        with Session(get_engine(url)) as session:
            references.append(submit_response(session, form, answers, provenance).reference)

    ready_and_wait()
    clicks = [threading.Thread(target=send) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    return references


def analyse(url: str) -> int:
    import nlp
    from engagement.db import get_engine
    from engagement.forms import get_form
    from engagement.free_text.job import AnalysisAlreadyRunning, analyse_pending

    nlp.analyse_comments(["warm up"], "wmty")  # load the models before the race starts
    ready_and_wait()
    try:
        return analyse_pending(get_engine(url), get_form(FORM), batch_size=2)
    except AnalysisAlreadyRunning:
        return 0


def ready_and_wait() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def run_together(commands: list[list[str]], env: dict[str, str]) -> list:
    """Start every worker, wait until all are loaded, start them at once, return their JSON results."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.concurrent_workers", *args], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for args in commands
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    kind, url, *rest = sys.argv[1:]
    result = submit(url, int(rest[0])) if kind == "submit" else analyse(url)
    print(json.dumps(result), flush=True)
