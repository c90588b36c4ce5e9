"""The learned matcher in both forms: linear (small KBs) and nearest examples (large KBs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from seci.retrieval import matcher as matcher_module
from seci.retrieval.documents import Facts
from seci.retrieval.matcher import Example, Matcher
from seci.retrieval.text import default_analyzer

EXAMPLES = [
    Example("携号转网办理条件", 1), Example("换运营商号码不变", 1), Example("我想转到联通", 1),
    Example("宽带故障报修流程", 2), Example("家里断网了怎么办", 2), Example("网线没信号", 2),
    Example("话费余额查询", 3), Example("我还剩多少钱", 3), Example("查一下余额", 3),
    Example("今天天气怎么样", -1), Example("股票涨了吗", -1),
]


def _matcher(form: str, examples: Sequence[Example] = EXAMPLES) -> Matcher:
    return Matcher(examples, default_analyzer().tokens,
                   max_linear_classes=10**9 if form == "linear" else 0)


@pytest.mark.parametrize("form", ["linear", "neighbours"])
def test_each_form_recognises_paraphrases(form: str) -> None:
    matcher = _matcher(form)
    assert matcher.kind == form
    assert matcher.top("家里的宽带断网了", 1)[0][0] == 2
    assert matcher.top("我的话费还剩多少", 1)[0][0] == 3
    assert matcher.top("換運營商號碼不變", 1)[0][0] == 1  # traditional characters


@pytest.mark.parametrize("form", ["linear", "neighbours"])
def test_allowed_articles_and_limit(form: str) -> None:
    ranked = _matcher(form).top("家里断网了怎么办", 5, allowed={1, 3})
    assert {label for label, _ in ranked} <= {1, 3}
    assert len(_matcher(form).top("宽带", 1)) == 1


def test_the_form_follows_the_number_of_articles() -> None:
    tokenize = default_analyzer().tokens
    assert Matcher(EXAMPLES, tokenize, max_linear_classes=4).kind == "linear"
    assert Matcher(EXAMPLES, tokenize, max_linear_classes=3).kind == "neighbours"


def test_neighbours_score_an_article_by_its_best_example() -> None:
    ranked = dict(_matcher("neighbours").top("家里断网了怎么办", 10))
    # Identical text: the character and the word half each count 1.
    assert ranked[2] == pytest.approx(2.0, abs=1e-6)
    assert all(score < ranked[2] for label, score in ranked.items() if label != 2)


def test_neighbours_barely_score_text_sharing_no_words() -> None:
    # Only the word-boundary padding of character n-grams is shared.
    assert all(score < 0.1 for _, score in _matcher("neighbours").top("xyz", 5))


def test_neighbours_keep_the_best_articles_when_only_the_best_are_sorted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from seci.retrieval import matcher as matcher_module

    full = _matcher("neighbours").top("家里断网了怎么办", 10)
    monkeypatch.setattr(matcher_module, "_BEST_ARTICLES", 2)
    partial = _matcher("neighbours").top("家里断网了怎么办", 10)
    assert partial == full[:2]


@pytest.mark.parametrize("block", [1, 64])  # articles as blocks; all by reduceat
@pytest.mark.parametrize("query", ["家里断网了怎么办", "查一下余额吧", "完全无关的句子", "！！",
                                   "宽带 余额 漫游 开通 断网 话费"])
def test_neighbour_scores_are_each_articles_best_cosine(
        query: str, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summed postings equal the sparse product of the query with every example, and
    each article gets its best example's value (examples of one article are not contiguous
    in EXAMPLES: the scorer lays them out anew)."""

    from seci.retrieval.matcher import _NeighbourScorer
    from seci.retrieval.text import normalize

    monkeypatch.setattr(matcher_module, "_BLOCK_ARTICLES", block)
    examples = sorted(EXAMPLES, key=lambda e: len(e.text))  # articles interleaved
    scorer = _matcher("neighbours", examples)._scorer
    assert isinstance(scorer, _NeighbourScorer)
    features = scorer._raw([normalize(query)])
    scorer._weigh(features)
    expected: dict[int, float] = {}
    if features.nnz:
        product = (features @ scorer._postings).toarray().ravel()
        labels = scorer._layout.example_articles()
        for label, value in zip(labels, product, strict=True):
            if value > 0:
                expected[int(label)] = max(expected.get(int(label), 0.0), float(value))
    got = dict(scorer.ranked(normalize(query)))
    assert got.keys() == expected.keys()
    for label, value in expected.items():
        assert got[label] == pytest.approx(value, rel=1e-5)


@pytest.mark.parametrize("labels", [(1, 2, 3, -1), (1, 2)])  # several articles; binary
@pytest.mark.parametrize("query", ["家里的宽带断网了", "查一下余额吧", "完全无关的句子", "",
                                   "！！"])
def test_linear_scores_read_directly_equal_scikit_learns(labels: tuple[int, ...],
                                                         query: str) -> None:
    import numpy as np
    from scipy import sparse

    from seci.retrieval.matcher import _LinearScorer
    from seci.retrieval.text import normalize

    examples = [e for e in EXAMPLES if e.label in labels]
    matcher = Matcher(examples, default_analyzer().tokens)
    scorer = matcher._scorer
    assert isinstance(scorer, _LinearScorer)
    text = normalize(query)
    features = sparse.hstack([scorer._chars.transform([text]),
                              scorer._words.transform([text])]).tocsr()
    expected = np.atleast_1d(scorer._model.decision_function(features)[0])
    if len(expected) == 1:
        expected = np.array([-expected[0], expected[0]])
    assert [value for _, value in scorer.scores(text)] == pytest.approx(list(expected),
                                                                         abs=1e-9)


def test_the_neighbour_index_is_the_same_however_it_is_chunked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Built in two passes chunk by chunk (matcher._transposed): chunks of 2 examples must
    # give exactly the index (and the scores) of one chunk holding them all.
    whole = _matcher("neighbours")
    monkeypatch.setattr(matcher_module, "_CHUNK", 2)
    chunked = _matcher("neighbours")
    for query in ("家里断网了怎么办", "余额", "转到联通", "天气"):
        assert chunked.top(query, 5) == whole.top(query, 5)
    left, right = whole._scorer._postings, chunked._scorer._postings  # type: ignore[union-attr]
    assert (left != right).nnz == 0 and left.has_sorted_indices and right.has_sorted_indices


def test_the_layout_puts_each_example_where_its_article_finds_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles sharing a number of examples are scored as blocks (column-wise max), the
    others by ``reduceat``: both give each article its own examples' best, and the
    positions are a permutation of the examples."""
    import numpy as np

    monkeypatch.setattr(matcher_module, "_BLOCK_ARTICLES", 2)
    # Articles 5, 7, 9 have 2 examples each (a block), 3 and 4 have 3 (a block), 8 has 1
    # and 6 has 4 (the rest), interleaved.
    labels = np.array([5, 3, 8, 7, 6, 9, 3, 6, 5, 4, 6, 7, 4, 3, 9, 6, 4])
    layout, order = matcher_module._layout(labels)
    assert sorted(order.tolist()) == list(range(len(labels)))
    assert (labels[order] == layout.example_articles()).all()
    assert [(each, count) for _, each, count in layout.blocks] == [(2, 3), (3, 2)]
    rng = np.random.default_rng(7)
    values = rng.random(len(labels)).astype(np.float32)
    best = layout.best(values[order])
    expected = {int(a): float(values[labels == a].max()) for a in np.unique(labels)}
    assert dict(zip(layout.articles.tolist(), best.tolist(), strict=True)) == expected


def test_examples_may_come_from_a_generator() -> None:
    # The engine hands them over one by one (no list of a large KB's examples).
    listed = _matcher("neighbours").top("家里断网了怎么办", 5)
    generated = Matcher((e for e in EXAMPLES), default_analyzer().tokens,
                        max_linear_classes=0).top("家里断网了怎么办", 5)
    assert generated == listed


def test_a_chunk_whose_every_n_gram_weighs_nothing_adds_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # One example per chunk: the two identical lines of "none of these" ("股票涨了吗") are
    # a chunk of their own each, every n-gram of theirs in too many examples to weigh.
    monkeypatch.setattr(matcher_module, "MAX_POSTINGS", 1)
    monkeypatch.setattr(matcher_module, "_CHUNK", 1)
    examples = [*EXAMPLES, Example("股票涨了吗", -1)]
    matcher = _matcher("neighbours", examples)
    assert matcher.top("股票涨了吗", 3) == []


def test_articles_tied_at_the_cut_are_kept_as_a_full_sort_keeps_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Eight articles share a line (a keyword query scores them alike): with room for three,
    # the three lowest ids stay, whatever order the layout holds them in.
    examples = [Example("宽带办理进度查询", label) for label in (8, 3, 6, 1, 7, 2, 5, 4)]
    examples += [Example(f"第{n}个无关的句子", -1) for n in range(20)]
    full = _matcher("neighbours", examples).top("宽带办理进度查询", 8)
    assert [label for label, _ in full] == [1, 2, 3, 4, 5, 6, 7, 8]
    monkeypatch.setattr(matcher_module, "_BEST_ARTICLES", 3)
    assert _matcher("neighbours", examples).top("宽带办理进度查询", 10) == full[:3]


def test_best_articles_are_the_positive_ones_first_by_score_then_by_id() -> None:
    import numpy as np

    best = np.array([0.5, 0.0, 0.9, 0.5, 0.5, 0.2, 0.0], dtype=np.float32)
    articles = np.array([40, 10, 30, 20, 70, 60, 50])
    chosen = matcher_module._best_articles
    assert sorted(articles[chosen(best, articles, 3)].tolist()) == [20, 30, 40]
    assert sorted(articles[chosen(best, articles, 6)].tolist()) == [20, 30, 40, 60, 70]
    assert sorted(articles[chosen(best, articles, 10)].tolist()) == [20, 30, 40, 60, 70]


def _facts(article_id: int, examples: tuple[str, ...], details: tuple[str, ...] = ()
           ) -> Facts:
    return Facts(article_id=article_id, version_id=article_id, code=f"K-{article_id}",
                 title=examples[0] if examples else "", module_path="/1/",
                 queue_ids=frozenset(), audience="internal", valid_from=None, valid_to=None,
                 examples=examples, details=details)


def test_the_engine_hands_the_matcher_its_examples_one_by_one_in_order() -> None:
    from seci.retrieval.engine import NONE_OF_THESE, background_questions, training_examples

    facts = [_facts(7, ("宽带报修", "断网了", "  "), ("先重启光猫",)), _facts(9, ("余额查询",))]
    logged = [Example("网断了咋整", 7)]
    situational = [Example("换了手机上不了网", 9)]
    examples = training_examples(facts, logged, situational)
    assert not isinstance(examples, list)  # a generator: no list of a large KB's examples
    assert list(examples) == [
        Example("宽带报修", 7), Example("断网了", 7), Example("先重启光猫", 7),
        Example("余额查询", 9), *logged,
        *(Example(text, NONE_OF_THESE) for text in background_questions()), *situational]


def test_a_matcher_is_trained_only_with_two_classes_at_least(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from seci.retrieval import engine

    monkeypatch.setattr(engine, "background_questions", lambda: ())
    one, blank = _facts(7, ("宽带报修",)), _facts(8, (" ",), ("",))
    assert not engine._two_labels([one, blank], [], [])
    assert engine._two_labels([one, _facts(9, ("余额查询",))], [], [])
    assert engine._two_labels([one], [Example("余额还剩多少", 9)], [])
    monkeypatch.setattr(engine, "background_questions", lambda: ("今天天气怎么样",))
    assert engine._two_labels([one], [], [])
    assert not engine._two_labels([blank], [], [])


@pytest.mark.parametrize("form", ["linear", "neighbours"])
def test_training_twice_on_the_same_examples_scores_the_same(form: str) -> None:
    """The linear SVM's solver visits the examples in a random order: seeded, a refit of an
    unchanged knowledge base gives the same confidences (and the same assistant replies),
    whatever the process's global random state."""
    scores = []
    for seed in (1, 2):
        np.random.seed(seed)
        scores.append(_matcher(form).top("家里的宽带断网了还剩多少钱", 4))
    assert scores[0] == scores[1]
