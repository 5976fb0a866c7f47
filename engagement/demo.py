"""Synthetic demo responses, clearly marked as such, so a new installation has something to look at."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from engagement import audit
from engagement.forms import easy_read_version
from engagement.intake import Provenance, submit_many
from engagement.models import Answer, AppSetting, Response, utc_now
from engagement.places import all_places
from survey_forms import Form

DEMO_ENTERED_BY = "Synthetic demo data"
DEMO_FLAG = "demo_loaded_at"

# Chance of "Important" or "Very important" per item, shaped like the 2019 results
# (workforce near-unanimous, digital much less enthusiasm).
TOP_BOX_SHARE = {
    "top_urgent_care": 0.96,
    "top_mental_health": 0.93,
    "top_best_use_of_money": 0.80,
    "preventing_ill_health": 0.86,
    "children_young_peoples_health": 0.92,
    "major_health_conditions": 0.97,
    "supporting_our_workforce": 0.99,
    "digital_innovation": 0.58,
}

BEST_THING = [
    "It's free at the point of use. Nobody has to worry about how they will pay when they are ill.",
    "Free at the point of need for everyone, whoever you are.",
    "The staff. The nurses on the ward were kind and caring even though they were clearly stretched.",
    "Dedicated staff who go above and beyond, especially the nurses.",
    "That it is there for everyone, rich or poor.",
    "When my dad had his stroke the care at QMC was excellent, really high quality.",
    "You can get care without paying, and the standard of care is high.",
    "Helpful receptionists at my surgery and a GP who actually listens.",
    "Universal healthcare. I have lived abroad and you don't realise how lucky we are.",
    "The specialists and consultants are brilliant once you get to see them.",
    "The cancer team at City Hospital were amazing with my wife.",
    "Access to services when you really need them, like the ambulance coming quickly for my son.",
    "Free prescriptions for my diabetes and the diabetes nurse is great.",
    "Compassionate staff who treat you like a person.",
    "It's free, and the people who work in it care.",
    "Midwives at Kings Mill were fantastic when I had my baby.",
    "Not having to think about money when your child is poorly.",
    "The pharmacist is always helpful and easy to get to.",
]

WHAT_MATTERS = [
    "Being able to get a GP appointment without ringing at 8am and waiting in a queue for an hour.",
    "Not enough doctors and nurses. Waiting times in A&E are far too long.",
    "I feel bounced back and forth between specialists and my GP. They should be able to refer me directly.",
    "Mental health services for young people. My daughter waited months to be seen by CAMHS.",
    "Shorter waiting lists for operations. I have been waiting over a year for a hip replacement.",
    "Joined up care. I have to tell my story again every time I see someone new.",
    "My notes never seem to get passed on between the hospital and my surgery. The IT doesn't talk to each other.",
    "Seeing a doctor face to face. I don't want a video call, I want someone to examine me.",
    "Support for carers. I look after my husband who has dementia and I feel on my own.",
    "More help to stay healthy, like stop smoking support and cheaper gym access, but it has to actually work.",
    "Cancelled appointments. Mine was cancelled three times with no explanation.",
    "Care closer to home so I don't have to travel to Nottingham for every appointment.",
    "Staff are exhausted and burnt out. Look after them and they will look after us.",
    "Stop wasting money on management consultants and put it into frontline care.",
    "Being listened to and involved in decisions about my own care.",
    "Getting an ambulance in time. My neighbour waited four hours after a fall.",
    "Help for older people to stay independent in their own homes.",
    "Fair access wherever you live. It shouldn't be a postcode lottery.",
    "Knowing where to go when it isn't an emergency. 111 was helpful last time.",
    "Damp housing is making my children ill and nobody joins that up with their health.",
    "Faster cancer diagnosis. My mum waited too long for her scan results.",
    "Being able to book appointments and order prescriptions online easily, with a phone option for those who can't.",
    "The NHS needs more money and less privatisation.",
    "Better support for people with learning disabilities, including easy read letters.",
    "Deaf people need BSL interpreters at appointments, not just a phone line.",
]

THREE_WORDS = [
    "helpful", "stretched", "slow", "trustworthy", "efficient", "overwhelmed", "caring", "underfunded",
    "busy", "improving", "fragmented", "dedicated", "frustrating", "reliable", "struggling", "excellent",
]

WEIGHTED_ANSWERS = {
    "respondent_type": [("public", 80), ("staff", 12), ("both", 6), ("prefer_not_to_say", 2)],
    "sex": [("female", 58), ("male", 38), ("prefer_not_to_say", 4)],
    "gender_same_as_sex_at_birth": [("yes", 94), ("no", 2), ("prefer_not_to_say", 4)],
    "sexual_orientation": [
        ("straight", 86), ("gay_or_lesbian", 4), ("bisexual", 3), ("other", 1), ("prefer_not_to_say", 6),
    ],
    "long_term_condition": [("yes", 38), ("no", 57), ("prefer_not_to_say", 5)],
    "religion": [
        ("no_religion", 40), ("christian", 42), ("muslim", 6), ("hindu", 2), ("sikh", 2), ("buddhist", 1),
        ("jewish", 1), ("other", 2), ("prefer_not_to_say", 4),
    ],
    "unpaid_carer": [("no", 76), ("yes_under_20", 12), ("yes_20_to_49", 5), ("yes_50_plus", 4),
                     ("prefer_not_to_say", 3)],
    # The 2019 campaign went to Deaf and learning disability groups, so they are a little over their share.
    "deaf": [("deaf_bsl", 1.2), ("deaf_no_bsl", 1.0), ("hard_of_hearing", 9), ("no", 85), ("prefer_not_to_say", 3.8)],
    "learning_disability": [("yes", 2.5), ("no", 93), ("prefer_not_to_say", 4.5)],
}

# Like 2019, Black and Asian residents answer less often than their share of the population (Nottingham
# Census 2021: Asian 14.9%, Black 10.0%; the county about 2.5% and 1%): demo data holds about 60% of that.
ETHNIC_CITY = [("white_british", 64), ("white_other", 8), ("asian_pakistani", 4.5), ("asian_indian", 3),
               ("asian_chinese", 1.5), ("asian_bangladeshi", 0.5), ("black_african", 4), ("black_caribbean", 2),
               ("black_other", 0.5), ("mixed_white_black_caribbean", 3), ("other_arab", 1), ("mixed_other", 2),
               ("white_irish", 1), ("prefer_not_to_say", 6)]
ETHNIC_COUNTY = [("white_british", 86.5), ("white_other", 4), ("asian_indian", 1), ("asian_pakistani", 0.4),
                 ("mixed_white_asian", 1), ("mixed_white_black_caribbean", 0.8), ("black_african", 0.4),
                 ("black_caribbean", 0.3), ("white_irish", 1), ("white_gypsy_traveller", 0.2),
                 ("other_any", 0.3), ("prefer_not_to_say", 5)]
CHANNEL_WEIGHTS = [("online", 62), ("paper", 28), ("event", 10)]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _rating(rng: random.Random, top_share: float) -> str:
    if rng.random() < top_share:
        return "5" if rng.random() < 0.6 else "4"
    return rng.choices(["1", "2", "3"], weights=[1, 3, 6], k=1)[0]


def _age(rng: random.Random, sex: object) -> int:
    """A respondent's age: a few school pupils, mostly middle-aged and older. Like 2019, men aged 20-40
    answer less often: three in ten of them are redrawn as older men."""
    if rng.random() < 0.02:
        return rng.randint(11, 15)
    age = min(95, max(16, int(rng.gauss(50, 18))))
    if sex == "male" and 20 <= age <= 40 and rng.random() < 0.3:
        age = rng.randint(41, 85)
    return age


def _student(rng: random.Random, age: int) -> str:
    share = 0.95 if age < 19 else 0.45 if age < 25 else 0.03
    if rng.random() < 0.03:
        return "prefer_not_to_say"
    return "yes" if rng.random() < share else "no"


def synthetic_answers(form: Form, rng: random.Random) -> dict[str, object]:
    """One plausible set of answers. Every answer is checked by intake like any other."""
    places = all_places()
    place = rng.choices(places, weights=[p.population_2021 for p in places], k=1)[0]
    answers: dict[str, object] = {}
    if rng.random() < 0.85:
        answers["best_thing"] = " ".join(rng.sample(BEST_THING, k=rng.choice([1, 1, 2])))
    if rng.random() < 0.75:
        answers["what_matters"] = " ".join(rng.sample(WHAT_MATTERS, k=rng.choice([1, 1, 2])))
    if rng.random() < 0.6:
        answers["three_words"] = rng.sample(THREE_WORDS, k=rng.choice([1, 2, 3, 3]))
    for question_id in ("tradeoff_prevention_treatment", "tradeoff_control_guidance"):
        answers[question_id] = rng.choice("12233345")
    answers["tradeoff_digital_face_to_face"] = rng.choice("234455")
    answers["district"] = place.code if rng.random() > 0.03 else "prefer_not_to_say"
    for question_id, weighted in WEIGHTED_ANSWERS.items():
        if rng.random() < 0.9:
            answers[question_id] = _pick(rng, weighted)
    if answers.get("long_term_condition") == "yes":
        answers["day_to_day_activities"] = _pick(rng, [("yes_a_lot", 3), ("yes_a_little", 5), ("not_at_all", 2)])
    if rng.random() < 0.9:
        answers["age"] = _age(rng, answers.get("sex"))
        if rng.random() < 0.9:
            answers["student"] = _student(rng, answers["age"])
    answers["ethnic_group"] = _pick(rng, ETHNIC_CITY if place.name == "Nottingham" else ETHNIC_COUNTY)
    for spec in form.likert_questions():
        answers[spec.id] = _rating(rng, _top_box_share(spec.id, place.name, answers.get("age")))
    answers["consent"] = True
    return answers


def _top_box_share(item_id: str, place_name: str, age: object) -> float:
    """Ratings differ a little by place and age, so breakdowns have something to find: Mansfield and older
    people are cooler about digital innovation (the issue's example: 41% vs 58%), younger people warmer,
    and younger people rate mental health higher still."""
    share = TOP_BOX_SHARE.get(item_id, 0.85)
    years = age if isinstance(age, int) else None
    if item_id == "digital_innovation":
        share -= 0.17 if place_name == "Mansfield" else 0.0
        if years is not None:
            share += 0.12 if years < 35 else -0.12 if years >= 65 else 0.0
    if item_id == "top_mental_health" and years is not None and years < 35:
        share += 0.05
    return min(share, 0.99)


def add_demo_responses(session: Session, form: Form, count: int, seed: int | None = None,
                       easy_read: int = 0) -> int:
    """Add `count` synthetic responses spread over places, groups and channels, over the last eight weeks;
    `easy_read` of them come through the form's Easy Read version (its questions and choices only)."""
    easy = easy_read_version(form.slug)
    if easy_read and easy is None:  # said before anything is stored
        raise ValueError(f"'{form.slug}' has no Easy Read version to add Easy Read demo responses to.")
    rng = random.Random(seed)
    now = utc_now()
    submit_many(session, form, _demo_batch(form, count - easy_read, rng, now))
    if easy_read and easy is not None:
        submit_many(session, easy, ((as_easy_read(answers, easy), provenance)
                                    for answers, provenance in _demo_batch(form, easy_read, rng, now)))
    _remember_demo_loaded(session)
    return count


def as_easy_read(answers: dict[str, object], easy: Form) -> dict[str, object]:
    """Standard demo answers as an Easy Read respondent gives them: only the questions that form asks, and on
    its shorter scales the nearest choice it offers (its lowest is "Not important", 2, for a standard 1)."""
    kept: dict[str, object] = {}
    for spec in easy.questions:
        if spec.id not in answers:
            continue
        value, codes = answers[spec.id], [option.code for option in spec.options]
        if codes and isinstance(value, str) and value not in codes:
            if not (value.isdigit() and all(code.isdigit() for code in codes)):
                continue  # a choice this form does not offer: left unanswered
            value = min(codes, key=lambda code: abs(int(code) - int(value)))
        kept[spec.id] = value
    return kept


def _demo_batch(form: Form, count: int, rng: random.Random, now: datetime) -> Iterator[tuple[dict, Provenance]]:
    """Made one at a time as intake asks for them, so a large demo set never sits in memory whole."""
    for number in range(1, count + 1):
        channel = _pick(rng, CHANNEL_WEIGHTS)
        provenance = Provenance(
            channel=channel,
            entered_by=DEMO_ENTERED_BY,
            paper_reference=f"DEMO-{rng.randrange(10**6):06d}-{number}" if channel == "paper" else None,
            is_synthetic=True,
            created_at=now - timedelta(minutes=rng.randrange(8 * 7 * 24 * 60)),
            via="demo data generator",
        )
        yield synthetic_answers(form, rng), provenance


def _remember_demo_loaded(session: Session) -> None:
    if session.get(AppSetting, DEMO_FLAG) is None:
        session.add(AppSetting(key=DEMO_FLAG, value=utc_now().isoformat()))
        session.commit()


def demo_was_ever_loaded(session: Session) -> bool:
    return session.get(AppSetting, DEMO_FLAG) is not None


def remove_demo_responses(session: Session, *, actor: str | None = None, via: str = "command: engagement demo") -> int:
    """Delete every synthetic response and its answers; real responses are untouched."""
    synthetic_ids = select(Response.id).where(Response.is_synthetic.is_(True))
    count = session.scalar(select(func.count()).select_from(Response).where(Response.is_synthetic.is_(True)))
    session.execute(delete(Answer).where(Answer.response_id.in_(synthetic_ids)))
    session.execute(delete(Response).where(Response.is_synthetic.is_(True)))
    audit.record(session, "responses_deleted", actor=actor or audit.command_line_actor(), via=via,
                 target_kind="synthetic demo data", count=int(count))
    session.commit()
    return int(count)
