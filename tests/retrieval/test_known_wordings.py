"""A customer's question an answer settled is answered the next time it comes in the same
words (``answered_wordings``, ``known_wordings``, ``known_wording_first``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from seci.retrieval import log as search_log
from seci.retrieval.confidence import KNOWN_WORDING, PRIOR, confidence_of, known_wording_first
from seci.retrieval.documents import Facts
from seci.retrieval.engine import RankedArticle, SearchEngine, known_wordings
from seci.retrieval.matcher import Example
from seci.retrieval.service import search
from seci.retrieval.text import normalize
from tests.factories import World, make_article


def test_a_wording_is_known_when_all_its_labels_agree() -> None:
    known = known_wordings([
        Example(normalize("这号里头的钱还够撑几天？"), 7),
        Example(normalize("这号里头的钱 还够撑几天"), 7),  # the same words, spaced
        Example(normalize("卡先封存"), 3),
        Example(normalize("卡先封存！"), 4),  # two articles: left to the rankers
        Example(normalize("？？"), 5),  # no words at all
    ])
    assert known == {"这号里头的钱还够撑几天": 7}


def _hit(article_id: int, score: float, matcher: float) -> RankedArticle:
    facts = Facts(article_id=article_id, version_id=article_id, code=f"A{article_id}",
                  title="", module_path="/1/", queue_ids=frozenset(), audience="customer",
                  valid_from=None, valid_to=None)
    return RankedArticle(facts, score, lexical_rank=article_id, lexical_score=2.0,
                         matcher_score=matcher, matcher_share=0.3)


def test_the_known_article_goes_first_and_the_others_become_runners_up() -> None:
    ranked = [_hit(1, 0.30, 0.8), _hit(2, 0.25, 0.1), _hit(3, 0.20, -0.2)]
    moved = known_wording_first(ranked, 4, PRIOR, 3)
    assert moved is not None
    hits, confidences = moved
    assert [h.facts.article_id for h in hits] == [3, 1, 2]
    # The places keep their scores: the answer is clearly ahead, nothing looks close.
    assert [h.score for h in hits] == [0.30, 0.25, 0.20]
    assert confidences[0] == KNOWN_WORDING
    # The old first is judged as a runner-up now, as in any other order.
    assert confidences[1:] == confidence_of(hits, 4, PRIOR)[1:]
    assert confidences[1] < confidence_of(ranked, 4, PRIOR)[0]
    # Unknown, or not among the hits (not valid, not visible to whoever searches).
    assert known_wording_first(ranked, 4, PRIOR, None) is None
    assert known_wording_first(ranked, 4, PRIOR, 9) is None


def _settled(db: Session, engine: SearchEngine, question: str, article_id: int) -> None:
    """A customer's question an answer settled (confirmed, picked, or sent by an agent
    after a hand-off: ``seci.assistant.learning``)."""
    entry = search_log.log_search(db, user=None, query=question,
                                  result=search(db, engine=engine, user=None, query=question),
                                  channel=search_log.ASSISTANT_CHANNEL)
    assert entry is not None
    entry.opened_article_id = article_id


def test_search_answers_a_wording_an_answer_settled(db: Session, world: World) -> None:
    balance = make_article(db, world, code="ZW-YE", title="话费余额查询",
                           body="发送 YE 到 10086 查询话费余额。",
                           similar_questions=["我还剩多少钱"])
    bill = make_article(db, world, code="ZW-ZD", title="月账单查询与解读",
                        body="账单次月3日出账，可查询近6个月账单。",
                        similar_questions=["账单怎么看"])
    internal = make_article(db, world, code="NB-1", title="话费争议处理（坐席）",
                            audience="internal", body="一线可退50元以内。",
                            similar_questions=["乱扣费退钱"])
    engine = SearchEngine(situations=False)
    agent = world["agent"]
    wording = "这号里头的钱还够撑几天"
    assert not search(db, engine=engine, user=agent, query=wording).confident
    _settled(db, engine, wording, balance.id)
    _settled(db, engine, "退钱那个规定", internal.id)
    # An agent who opens an article after a search may be looking around: the matcher
    # learns the pair, but the words are not pinned to it.
    browsed = search_log.log_search(db, user=agent, query="几号出账",
                                    result=search(db, engine=engine, user=agent,
                                                  query="几号出账"))
    assert browsed is not None
    search_log.log_open(db, user=agent, query="几号出账", article_id=bill.id)
    db.commit()
    assert engine.refresh_log_examples(db)
    assert engine.known_answer("几号出账") is None

    again = search(db, engine=engine, user=agent, query=f"{wording}？")
    assert again.hits[0].code == "ZW-YE" and again.confident
    assert again.hits[0].confidence == KNOWN_WORDING
    # Other words are left to the rankers.
    other = search(db, engine=engine, user=agent, query="我这卡里还剩几块钱")
    assert all(hit.confidence < KNOWN_WORDING for hit in other.hits)
    # A customer never gets the agents' article, however well its wording is known.
    customer = search(db, engine=engine, user=None, query="退钱那个规定")
    assert "NB-1" not in [h.code for h in customer.hits]
    assert search(db, engine=engine, user=agent, query="退钱那个规定").hits[0].code == "NB-1"
