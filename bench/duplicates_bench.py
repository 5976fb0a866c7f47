"""Likely-duplicates benchmark: N real-looking responses (the demo generator's answers, but not marked
synthetic, with written answers that share stock sentences and differ in a few words), of which 1% are the
same person again on a paper form with a typo; then `find_likely_duplicates` on them. Prints the time, the
pairs flagged, how many planted duplicates were found, and the peak memory (RSS). Usage:
python bench/duplicates_bench.py [RESPONSES]   (default 100,000)"""

from __future__ import annotations

import random
import resource
import sys
import time

from fresh_database import fresh_database


def main(responses: int) -> None:
    engine, form = fresh_database()
    from sqlmodel import Session

    from engagement.demo import WHAT_MATTERS, synthetic_answers
    from engagement.duplicates import find_likely_duplicates
    from engagement.intake import Provenance, submit_many
    from engagement.places import all_places

    rng = random.Random(1)
    place_codes = {place.code for place in all_places()}
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(2000)]
    planted = responses // 100
    originals: list[dict] = []

    def people():
        for number in range(responses - planted):
            answers = synthetic_answers(form, rng)
            answers["what_matters"] = f"{rng.choice(WHAT_MATTERS)} {' '.join(rng.choices(vocabulary, k=4))}"
            answers.pop("best_thing", None)
            if number < planted:
                originals.append(answers)
            yield answers, Provenance(channel="online")
        for number, answers in enumerate(originals):  # the same people again, keyed from paper with a typo
            again = dict(answers, what_matters=answers["what_matters"][:-1] + "x")
            yield again, Provenance(channel="paper", entered_by="bench", paper_reference=f"P-{number}")

    started = time.perf_counter()
    with Session(engine) as session:
        stored = submit_many(session, form, people())
    print(f"stored {stored:,} responses in {time.perf_counter() - started:.1f} s")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    pairs = find_likely_duplicates(engine, form)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    cross = pairs[(pairs["first_channel"] == "online") & (pairs["second_channel"] == "paper")]
    findable = sum(1 for a in originals if a.get("district") in place_codes and a.get("age") is not None
                   and a.get("sex") in ("female", "male"))
    print(f"find_likely_duplicates: {len(pairs):,} pairs flagged among {stored:,} responses in {elapsed:.1f} s")
    print(f"planted duplicates: {planted:,} ({findable:,} with a place, an age and a sex given); online/paper pairs "
          f"flagged: {len(cross):,}")
    print(f"peak RSS: {peak / 1024:,.0f} MiB (before the search: {before / 1024:,.0f} MiB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
