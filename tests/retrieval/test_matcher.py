"""The learned matcher in both forms: linear (small KBs) and nearest examples (large KBs)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from seci.retrieval import matcher as matcher_module
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


@pytest.mark.parametrize("query", ["家里断网了怎么办", "查一下余额吧", "完全无关的句子", "！！",
                                   "宽带 余额 漫游 开通 断网 话费"])
def test_neighbour_scores_are_each_articles_best_cosine(query: str) -> None:
    """The summed postings equal the sparse product of the query with every example, and
    each article gets its best example's value (examples of one article are not contiguous
    in EXAMPLES: the scorer regroups them)."""
    import numpy as np

    from seci.retrieval.matcher import _NeighbourScorer
    from seci.retrieval.text import normalize

    examples = sorted(EXAMPLES, key=lambda e: len(e.text))  # articles interleaved
    scorer = _matcher("neighbours", examples)._scorer
    assert isinstance(scorer, _NeighbourScorer)
    features = scorer._raw([normalize(query)])
    scorer._weigh(features)
    expected: dict[int, float] = {}
    if features.nnz:
        product = (features @ scorer._postings).toarray().ravel()
        labels = np.repeat(scorer._article, np.diff(np.r_[scorer._starts, len(product)]))
        for label, value in zip(labels, product, strict=True):
            if value > 0:
                expected[int(label)] = max(expected.get(int(label), 0.0), float(value))
    got = dict(scorer.scores(normalize(query)))
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
