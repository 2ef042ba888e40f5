"""Where a paper appears, read from the authors' arXiv comment and the journal reference.

arXiv says nothing structured about acceptance; authors write it in the comment ("Accepted at
ICLR 2025 (oral)", "ECCV 2026", "Findings of ACL 2026") and sometimes arXiv has a journal
reference. Seed 000 shows the venue and year per paper, so the digest reads them here: a known
conference or journal by its usual short name, else an acronym with a year, else the name after
"accepted by/in/at" — and nothing at all for "submitted to" or "under review". Measured on 150
hand-labelled real comments in tests/data/venue_comments.json (see tests/unit/test_venue.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Short name → what authors write for it. Acronyms match case-sensitively (ALT is not "alt").
_KNOWN: dict[str, str] = {
    "NeurIPS": r"NeurIPS|NIPS|Neural Information Processing Systems",
    "ICML": r"ICML|International Conference on Machine Learning",
    "ICLR": r"ICLR|International Conference on Learning Representations",
    "CVPR": r"CVPR|Computer Vision and Pattern Recognition",
    "ICCV": r"ICCV|International Conference on Computer Vision",
    "ECCV": r"ECCV|European Conference on Computer Vision",
    "TACL": r"TACL|Transactions of the Association for Computational Linguistics",
    "ACL": r"ACL|Annual Meeting of the Association for Computational Linguistics",
    "TMLR": r"TMLR|Transactions on Machine Learning Research",
    "SIGGRAPH Asia": r"SIGGRAPH Asia",
    "ECML-PKDD": r"ECML[-_ ]?PKDD",
    "KDD": r"SIGKDD|KDD|Knowledge Discovery and Data Mining",
    "Interspeech": r"(?i:interspeech)",
    "ACM MM": r"ACM MM|ACM Multimedia",
    "WWW": r"WWW|The Web Conference|TheWebConf",
    "RSS": r"Robotics: Science and Systems",
    "IJCV": r"IJCV|International Journal of Computer Vision",
}
_ACRONYMS = (  # noqa: SIM905 - a word list reads better as text
    "EMNLP NAACL EACL AACL COLING CoNLL LREC COLM AAAI IJCAI SIGIR CIKM WSDM RecSys ICDE ICDM "
    "SDM ICRA IROS CoRL RA-L MICCAI ISBI MIDL ICASSP ICME ICMR AISTATS UAI COLT ALT JMLR TPAMI "
    "TNNLS TIP TKDE SIGGRAPH WACV BMVC 3DV ICPR ICDAR ITSC EUSIPCO GECCO AAMAS RLC FAccT CHI "
    "UIST CSCW MLSys SemEval ACCV ICIP IJCNN ECAI"
).split()
_EDGES = r"(?<![A-Za-z]){}(?![A-Za-z])"
_VENUES = [(name, re.compile(_EDGES.format(f"(?:{alts})"))) for name, alts in _KNOWN.items()]
_VENUES += [
    # Mixed-case names are also written in capitals ("SEMEVAL 2026"); all-caps ones are exact.
    (name, re.compile(_EDGES.format(re.escape(name)), re.I * (name != name.upper())))
    for name in _ACRONYMS
]

_ACCEPTED = re.compile(
    r"accept|acccept|to appear|appear(?:s|ed)? (?:in|at)|publish|camera[- ]ready|presented|"
    r"proceedings|\boral\b|spotlight",
    re.IGNORECASE,
)
_NOT_YET = re.compile(
    r"submitted|submission|under review|in review|under consideration|rejected|withdrawn|"
    r"\bformat\b|\btemplate\b|\bstyle\b",  # "NeurIPS 2024 format" is a layout, not a venue
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"\)?[\s\-_]*(?:'|’)?\s*(20\d\d|\d\d)(?!\d)")
_ANY_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
# An acronym (two capitals or more) with a year: "ISCI 2026", "MIUA) 2026", "AAMAS-26".
_ACRONYM_YEAR = re.compile(
    r"(?<![A-Za-z])([A-Z][A-Za-z0-9&]*[A-Z][A-Za-z0-9&]*?)\)?[\s\-]*(20\d\d|['’]\d\d)(?!\d)"
)
_IN_PARENS = re.compile(r"\(([A-Z][A-Za-z&]*[A-Z][A-Za-z&]*)\)")  # "… Recognition (FG)"
_NOT_VENUES = frozenset({"IEEE", "ACM", "CEUR", "LNCS", "PMLR", "ARR", "RSJ", "IAPR", "AI", "ML"})
_NAMED_AFTER = re.compile(
    r"(?i:accepted|published|to appear|appear)\s+(?i:for publication\s+)?(?i:by|in|at|to)\s+"
    r"(?:the\s+)?([A-Z][^,.;:()]{1,60})"
)
_TRACKS = {
    "Findings": r"\bfindings\b",
    "Workshop": r"\bworkshops?\b",
    "Demo": r"\bdemo(?:nstrations?)? track\b|\bdemos?\b",
    "Oral": r"\boral\b",
    "Spotlight": r"\bspotlight\b",
}


@dataclass(frozen=True)
class Venue:
    """A venue as readers name it: `ICLR 2025 (Oral)`."""

    name: str
    year: int | None = None
    tracks: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        text = f"{self.name} {self.year}" if self.year else self.name
        return f"{text} ({', '.join(self.tracks)})" if self.tracks else text


def detect_venue(comment: str | None, journal_ref: str | None = None) -> Venue | None:
    """The venue the comment says the paper is accepted at, else the journal reference's."""
    for clause in _clauses(comment or ""):
        venue = _from_clause(clause, comment or "")
        if venue:
            return venue
    return _from_journal_ref(journal_ref or "")


def _clauses(comment: str) -> list[str]:
    text = re.sub(r"https?://\S+", " ", comment)  # a URL's dots and words are not clauses
    return [part.strip() for part in re.split(r";|\.\s+|\s\|\s|\n", text) if part.strip()]


def _from_clause(clause: str, comment: str) -> Venue | None:
    if _NOT_YET.search(clause):
        return None
    cued = bool(_ACCEPTED.search(clause))
    known = _known_venue(clause)
    if known and (cued or known[1] is not None):
        return Venue(known[0], known[1], _tracks(clause, comment))
    generic = _acronym_with_year(clause)
    if generic and (cued or _bare_part(clause, generic[0])):
        return Venue(generic[0], generic[1], _tracks(clause, comment))
    short = _IN_PARENS.search(clause) if cued else None
    if short and short.group(1) not in _NOT_VENUES:
        return Venue(short.group(1), _year_in(clause), _tracks(clause, comment))
    named = _NAMED_AFTER.search(clause) if cued else None
    if named and not _ANY_YEAR.fullmatch(named.group(1).strip()):
        name = re.split(r"\s+(?:Workshop|as an?)\b", named.group(1).strip())[0]
        year = _year_in(clause) or _year_in(comment)
        return Venue(name, year, _tracks(clause, comment))
    return None


def _known_venue(clause: str) -> tuple[str, int | None] | None:
    hits = [(m.start(), m.end(), name) for name, rx in _VENUES for m in rx.finditer(clause)]
    if not hits:
        return None
    _start, end, name = min(hits)
    year = _YEAR_AFTER.match(clause, end)
    return name, _year(year.group(1)) if year else _year_in(clause)


def _acronym_with_year(clause: str) -> tuple[str, int] | None:
    for match in _ACRONYM_YEAR.finditer(clause):
        if match.group(1) not in _NOT_VENUES:
            return match.group(1), _year(match.group(2).lstrip("'’"))
    return None


def _bare_part(clause: str, name: str) -> bool:
    """A comma-separated part that is only the venue and its year ("7 pages, IMSA2026")."""
    return any(
        not re.sub(rf"{re.escape(name)}|20\d\d|[\s\-'()]", "", part) for part in clause.split(",")
    )


def _year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _year_in(text: str) -> int | None:
    years = _ANY_YEAR.findall(text)
    return int(years[-1]) if years else None


def _tracks(clause: str, comment: str) -> tuple[str, ...]:
    """Findings, workshop and demo from the venue's clause; oral and spotlight from anywhere."""
    found = []
    for track, pattern in _TRACKS.items():
        where = comment if track in ("Oral", "Spotlight") else clause
        if re.search(pattern, where, re.IGNORECASE):
            found.append(track)
    return tuple(found)


def _from_journal_ref(journal_ref: str) -> Venue | None:
    """A journal reference is a publication already: its venue, or its text up to the volume."""
    text = re.sub(r"\s+", " ", journal_ref).strip()
    if not text:
        return None
    known = _known_venue(text)
    if known:
        return Venue(known[0], known[1], _tracks(text, text))
    name = re.split(r",|\s\d|\(", text, maxsplit=1)[0].strip(" .")
    return Venue(name or text[:60], _year_in(text))
