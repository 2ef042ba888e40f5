"""The summarizer that needs no LLM: a TL;DR picked from the abstract, keywords by frequency;
with the paper read in full, its method and results sentences from the body too.

It is the default without OPENAI_API_KEY and the fallback when the LLM fails or the daily budget
is spent, so it must never raise: empty abstracts, LaTeX and odd punctuation all get a summary.
The title stays untranslated and the LLM-only fields stay empty; `source=extractive` labels it.
"""

from __future__ import annotations

import re
from collections import Counter

from domain.fulltext import PaperText, Section, SectionKind
from domain.types import PaperMeta, SummaryContent

EXTRACTIVE_MODEL = "extractive"
EXTRACTIVE_VERSION = "ext-v1"
MAX_TLDR = 320
MAX_FIELD = 400
_METHOD_CUES = (
    "we propose", "we introduce", "we present", "our method", "our approach", "we design",
    "we finetune", "we train", "we develop",
)  # fmt: skip

_CUES = (
    "we propose", "we introduce", "we present", "we show", "we find", "we demonstrate",
    "outperform", "state-of-the-art", "state of the art", "achiev", "improv", "surpass",
    "reduc", "speedup", "faster", "novel",
)  # fmt: skip
_STOPWORDS = frozenset(
    """a an the and or but if of to in on for with by from as at into over under via using use
    used is are was were be been being this that these those it its we our us they their them
    which who whom whose what when where how than then there here such can could may might will
    would should shall do does did done not no nor also both each either more most other some any
    all many much very new based show shows shown propose proposed present paper approach method
    methods model models results result work study task tasks problem problems while however
    between across within without through about two three one first via well further existing
    large significantly achieve achieves performance including improve improves recent has
    have""".split()  # noqa: SIM905 - a word list reads better as text
)
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|et al|vs|cf|Fig|Eq|Sec|approx)\.", re.IGNORECASE)
_LATEX_WRAPPERS = re.compile(r"\\(?:emph|textbf|textit|texttt|mathrm|mathbf|text|url)\{([^{}]*)\}")


def clean(text: str) -> str:
    """Plain text from arXiv's abstract: LaTeX wrappers unwrapped, whitespace collapsed."""
    text = _LATEX_WRAPPERS.sub(r"\1", text or "")
    text = text.replace("~", " ").replace("\\%", "%").replace("``", '"').replace("''", '"')
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences, not fooled by `e.g.`, decimals (`12.5`) or periods inside `$...$` math."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    protected = re.sub(r"\$[^$]*\$", lambda m: m.group(0).replace(".", "\x00"), protected)
    parts = re.split(r"(?<=[.!?。！？])\s+(?=[A-Z0-9$\\(\"'])|(?<=[。！？])", protected)
    return [part.replace("\x00", ".").strip() for part in parts if part.strip()]


def score_sentence(sentence: str, position: int) -> float:
    lower = sentence.lower()
    score = 2.0 * bool(re.search(r"\d", sentence))
    score += sum(1.5 for cue in _CUES if cue in lower)
    score += 0.5 if "%" in sentence or re.search(r"\d(?:x|×)\b", lower) else 0.0
    words = len(sentence.split())
    score -= 2.0 if words < 6 or words > 60 else 0.0
    return score - 0.1 * position  # ties go to the earlier sentence


def pick_tldr(meta: PaperMeta) -> str:
    sentences = split_sentences(clean(meta.abstract))
    if not sentences:
        return clean(meta.title) or meta.arxiv_id
    best = max(enumerate(sentences), key=lambda item: score_sentence(item[1], item[0]))[1]
    return _shorten(best, MAX_TLDR)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;: ")
    return f"{cut}…"


def keywords(meta: PaperMeta, count: int = 5) -> list[str]:
    """The most frequent content words of title and abstract (title words count double)."""
    title_words = _words(meta.title)
    counts = Counter(_words(meta.abstract)) + Counter(title_words) + Counter(title_words)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, n in ranked if n > 1 or word in title_words][:count]


def _words(text: str) -> list[str]:
    plain = re.sub(r"\$[^$]*\$|\\[a-zA-Z]+", " ", clean(text))
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9\-]{2,}", plain)
    return [token.lower() for token in tokens if token.lower() not in _STOPWORDS]


def code_link(meta: PaperMeta, links: tuple[str, ...] = ()) -> str | None:
    if meta.code_url:
        return meta.code_url
    text = " ".join((meta.abstract or "", meta.comment or "", *links))
    match = re.search(r"https?://(?:www\.)?(?:github|gitlab|huggingface)\.(?:com|co)/\S+", text)
    return match.group(0).rstrip(".,;:)]}") if match else None


def best_sentence(sections: list[Section], cues: tuple[str, ...] = ()) -> str:
    """The best-scoring prose sentence of these sections (table rows are not prose), among
    those with one of the `cues` when any has one."""
    sentences = [
        sentence
        for section in sections
        for line in section.text.split("\n")
        if " | " not in line
        for sentence in split_sentences(line)
    ]
    cued = [s for s in sentences if any(cue in s.lower() for cue in cues)]
    sentences = cued or sentences  # without a cue, the best sentence of all
    if not sentences:
        return ""
    best = max(enumerate(sentences), key=lambda item: score_sentence(item[1], item[0]))[1]
    return _shorten(best, MAX_FIELD)


def _of_kind(text: PaperText, *kinds: SectionKind) -> list[Section]:
    return [section for section in text.sections if section.kind in kinds]


def summarize_extractive(meta: PaperMeta, text: PaperText | None = None) -> SummaryContent:
    """Never raises; the same summary for every language (the text is the paper's own). With
    the paper read in full, `method` and `results` are its own sentences, and a code link
    in its body counts."""
    full = text if text is not None and text.is_full else None
    content = SummaryContent(
        title_translated=clean(meta.title),
        tldr=pick_tldr(meta),
        keywords=keywords(meta),
        code_url=code_link(meta, full.links if full else ()),
    )
    if full is None:
        return content
    method = _of_kind(full, SectionKind.INTRODUCTION, SectionKind.METHOD)
    results = _of_kind(full, SectionKind.EXPERIMENTS, SectionKind.CONCLUSION)
    return content.model_copy(
        update={
            "method": best_sentence(method, _METHOD_CUES),
            "results": best_sentence(results),
        }
    )
