"""Questions generated from a published knowledge article, as drafts for a trainer to
review: the article's key facts — fees (元), limits (GB, 条, 次), time frames (天, 小时,
个月) and service numbers (10086) — as a blank to fill in or a choice with plausible
distractors (the value halved, doubled, one step off; other service numbers), and "which
article answers this customer question" from the article's similar questions, with
articles of the same module as distractors.

Generation reads one article and writes a few rows: it runs in the request's worker
thread (routes and pages are synchronous), never on the event loop."""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seci.accounts.models import User
from seci.audit.service import record
from seci.core.errors import NotFound
from seci.core.i18n import N_, catalog
from seci.knowledge.models import Article, ArticleStatus
from seci.people import access
from seci.people.errors import NothingToGenerate
from seci.people.exam_models import Difficulty, ExamQuestion, QuestionKind, QuestionSource
from seci.people.questions import QuestionData, add_question

# The bank is content in the knowledge base's language, whatever the trainer's UI.
CONTENT_LOCALE = "zh_CN"
MAX_FACTS = 6
MAX_WHICH = 2
_FACTS = (
    ("fee", re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(元)")),
    ("time", re.compile(r"(?<![\d.])(\d+)\s*(个工作日|个自然日|个月|工作日|小时|分钟|天|周|年)")),
    ("limit", re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(GB|MB|TB|G|M|条|次|张)")),
    ("number", re.compile(r"(?<!\d)(1\d{4}|95\d{3}|400\d{7})(?!\d)()")),
)
SERVICE_NUMBERS = ("10086", "10010", "10000", "12345", "12315", "12300", "95588", "10099")
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_MARKUP = re.compile(r"^[\s#>*\-+\d.、]*")
FILL_STEM = N_("{title}: {sentence}")
WHICH_STEM = N_("A customer asks: “{question}” Which article answers this?")


def _content(message: str, **params: str) -> str:
    return catalog(CONTENT_LOCALE).get(message, message).format(**params)


@dataclass(frozen=True)
class Fact:
    kind: str
    value: str
    unit: str
    sentence: str
    start: int
    end: int


def _sentences(text: str) -> list[str]:
    found = []
    for raw in _SENTENCE.split(text):
        if raw.count("|") >= 2:
            continue  # a table row: its cells read badly as a sentence
        line = raw.strip().replace("|", "，")
        line = _MARKUP.sub("", line) if not re.match(r"^\d+\s*[元天个]", line) else line
        line = line.replace("**", "").strip(" ，,:：")
        if 6 <= len(line) <= 120:
            found.append(line)
    return found


def find_facts(text: str) -> list[Fact]:
    """The key facts of a text: one per value and unit, in reading order (a match inside
    one found before, e.g. '3个' of '3个月', is skipped)."""
    facts: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for sentence in _sentences(text):
        found: list[Fact] = []
        for kind, pattern in _FACTS:
            for match in pattern.finditer(sentence):
                if any(match.start() < f.end and f.start < match.end() for f in found):
                    continue
                found.append(Fact(kind, match.group(1), match.group(2), sentence,
                                  match.start(), match.end()))
        for fact in sorted(found, key=lambda f: f.start):
            if (fact.value, fact.unit) not in seen:
                seen.add((fact.value, fact.unit))
                facts.append(fact)
    return facts[:MAX_FACTS]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".rstrip("0")


def distractors(fact: Fact, rng: random.Random, count: int = 3) -> list[str]:
    """Wrong values that look right: other service numbers; or the value halved, doubled,
    tripled, one step up or down (a step of 1, 5, 10 … by size), same unit."""
    if fact.kind == "number":
        others = [n for n in SERVICE_NUMBERS if n != fact.value]
        return rng.sample(others, count)
    value = float(fact.value)
    step = 1.0 if value < 10 else 5.0 if value < 100 else 10.0 ** (len(str(int(value))) - 2)
    candidates = [value * 2, value / 2, value + step, value - step, value * 3, value + 2 * step]
    texts: list[str] = []
    for candidate in candidates:
        text = _number(candidate)
        if candidate > 0 and text != _number(value) and text not in texts and (
                fact.kind != "time" or float(candidate).is_integer()):
            texts.append(text)
    rng.shuffle(texts)
    return [t + fact.unit for t in texts[:count]]


def _rng(key: str) -> random.Random:
    # Not for secrets: the same article gives the same draft.
    return random.Random(zlib.crc32(key.encode()))  # noqa: S311


def fact_question(article: Article, fact: Fact, index: int) -> tuple[str, QuestionData]:
    """A blank (service numbers and every second fact) or a single choice of the fact."""
    key = f"a{article.id}:fact:{fact.value}{fact.unit}"
    rng = _rng(key)
    blank = fact.kind == "number" or index % 2 == 1
    hole = "____" + fact.unit if blank else "（　）"
    sentence = fact.sentence[:fact.start] + hole + fact.sentence[fact.end:]
    stem = _content(FILL_STEM, title=article.title, sentence=sentence)
    if blank:
        accepted = [fact.value] + ([fact.value + fact.unit] if fact.unit else [])
        return key, QuestionData(kind=QuestionKind.FILL, stem=stem, answer=accepted,
                                 module_id=article.module_id, difficulty=Difficulty.HARD,
                                 explanation=fact.sentence, article_ids=[article.id])
    options = [fact.value + fact.unit, *distractors(fact, rng)]
    rng.shuffle(options)
    return key, QuestionData(
        kind=QuestionKind.SINGLE, stem=stem, options=options,
        answer=[str(options.index(fact.value + fact.unit))], module_id=article.module_id,
        difficulty=Difficulty.MEDIUM, explanation=fact.sentence, article_ids=[article.id])


def sibling_titles(session: Session, article: Article, count: int = 3) -> list[Article]:
    """Published articles of the same module (then of any module) to serve as wrong
    answers to "which article"."""
    published = select(Article).where(Article.status == ArticleStatus.PUBLISHED,
                                      Article.id != article.id)
    siblings = list(session.scalars(published.where(Article.module_id == article.module_id)
                                    .order_by(Article.id).limit(20)))
    if len(siblings) < count:
        siblings += list(session.scalars(published.where(
            Article.module_id != article.module_id).order_by(Article.id).limit(20)))
    titles: dict[str, Article] = {}
    for other in siblings:
        if other.title != article.title:
            titles.setdefault(other.title, other)
    rng = _rng(f"a{article.id}:siblings")
    chosen = list(titles.values())
    rng.shuffle(chosen)
    return chosen[:count]


def which_article_questions(session: Session, article: Article, similar: list[str]
                            ) -> list[tuple[str, QuestionData]]:
    others = sibling_titles(session, article)
    if len(others) < 2:
        return []
    made = []
    for question in similar[:MAX_WHICH]:
        key = f"a{article.id}:which:{question}"[:200]
        options = [article.title, *(o.title for o in others)]
        _rng(key).shuffle(options)
        made.append((key, QuestionData(
            kind=QuestionKind.SINGLE, stem=_content(WHICH_STEM, question=question),
            options=options, answer=[str(options.index(article.title))],
            module_id=article.module_id, difficulty=Difficulty.EASY,
            article_ids=[article.id, *(o.id for o in others)])))
    return made


def generate_from_article(session: Session, *, actor: User, article_id: int
                          ) -> list[ExamQuestion]:
    """Draft questions from the article's published version; a question generated before
    (same article and fact or customer question) is not made again."""
    access.require_exam_manager(actor)
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound()
    live = article.live_version
    if live is None:
        raise NothingToGenerate()
    text = "\n".join(part for part in (live.body, live.customer_answer) if part)
    candidates = [fact_question(article, fact, i) for i, fact in enumerate(find_facts(text))]
    candidates += which_article_questions(session, article, list(live.similar_questions))
    if not candidates:
        raise NothingToGenerate()
    existing = set(session.scalars(select(ExamQuestion.generator_key).where(
        ExamQuestion.generator_key.in_([key for key, _ in candidates]))))
    made = [add_question(session, actor=actor, data=data, source=QuestionSource.GENERATED,
                         generator_key=key, audit=False)
            for key, data in candidates if key not in existing]
    record(session, actor=actor, action="exam.question_generate", entity_type="article",
           entity_id=article.id, summary=f"{len(made)}")
    return made
