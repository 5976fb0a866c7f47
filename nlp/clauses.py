"""Clauses of a comment: its sentences, cut again where the writer turns ("but", "however", "although",
"apart from"), so a mixed answer ("staff were lovely but the wait was awful") reads as two opinions.

Used to give each theme mentioned in a comment the sentiment of the part of the comment about it.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

# A new clause starts at one of these words anywhere after the start of a sentence.
TURN_WORDS = frozenset({"but", "however", "although", "though", "whereas", "except", "apart"})
# A clause opened by one of these ends at its first comma: "Although the staff were lovely, the wait was awful".
LEADING_WORDS = frozenset({"although", "though", "apart", "except", "despite", "while", "whilst"})


def _turns_here(token_lower: str, next_lower: str) -> bool:
    # "apart" turns only as "apart from"; the other words turn on their own.
    return token_lower in TURN_WORDS and (token_lower != "apart" or next_lower == "from")


def clause_offsets(doc: Doc | Span) -> list[tuple[int, int]]:
    """Token offsets (start, end) of the clauses of a comment, in order; pieces with no word are dropped.

    Sentence boundaries come from the sentencizer when the doc has them; without them the comment is one sentence.
    """
    whole = doc if isinstance(doc, Span) else doc[:]
    sentences = list(whole.sents) if whole.doc.has_annotation("SENT_START") else [whole]
    lowered = [token.lower_ for token in whole.doc]
    lowered.append("")
    cuts: list[tuple[int, int]] = []
    for sentence in sentences:
        starts = [sentence.start] + [
            i for i in range(sentence.start + 1, sentence.end) if _turns_here(lowered[i], lowered[i + 1])
        ]
        pieces = list(zip(starts, [*starts[1:], sentence.end], strict=True))
        for start, end in pieces:
            comma = next((i for i in range(start + 1, end - 1) if lowered[i] == ","), None)
            if lowered[start] in LEADING_WORDS and comma is not None:
                cuts.extend([(start, comma + 1), (comma + 1, end)])
            else:
                cuts.append((start, end))
    return [(start, end) for start, end in cuts if any(token.is_alpha for token in whole.doc[start:end])]
