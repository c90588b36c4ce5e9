"""The dictionaries derived from open lexicons (THUOCL, Chinese Open Wordnet), pinned:
what they add, that SECI's own terms and curated synonyms stay on top, and their notices."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest

from seci.retrieval.text import (
    DICTIONARY_REVISION,
    Analyzer,
    SynonymGroup,
    lexicon_synonym_sets,
    lexicon_terms,
    seed_synonyms,
    telecom_terms,
)

DATA = resources.files("seci.retrieval") / "data"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
DERIVED = ("lexicon_terms.txt", "lexicon_synonyms.txt")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def plain() -> Analyzer:
    return Analyzer(lexicon=False)


# --- terms (THUOCL) -----------------------------------------------------------------------


def test_a_thuocl_term_is_segmented_whole(analyzer: Analyzer, plain: Analyzer) -> None:
    assert "到账" in dict(lexicon_terms())
    assert "到账" in analyzer.tokens("充了钱没到账怎么办")
    assert "到账" not in plain.tokens("充了钱没到账怎么办")  # jieba alone: 没到|账
    # Search segmentation keeps the parts of a longer term as well.
    assert {"忘记密码", "忘记", "密码"} <= set(analyzer.tokens("我忘记密码了"))
    assert "无法上网" in analyzer.raw_words("家里无法上网")


def test_seci_terms_win_over_thuocl_terms(analyzer: Analyzer, plain: Analyzer) -> None:
    ours = dict(telecom_terms())
    lexicon = dict(lexicon_terms())
    assert not ours.keys() & lexicon.keys()
    # Lexicon frequencies stay below SECI's, and no lexicon term hides a long SECI term.
    assert max(lexicon.values()) < min(ours.values())
    assert not [(t, w) for t in lexicon for w in ours if len(w) >= 4 and w in t]
    for word in ours:
        assert analyzer.raw_words(word) == plain.raw_words(word), word
    tokens = analyzer.tokens("办理停机保号和携号转网需要带身份证")
    assert {"停机保号", "携号转网", "身份证"} <= set(tokens)


# --- synonym sets (Chinese Open Wordnet) --------------------------------------------------


def test_a_lexicon_synonym_expands_a_query(analyzer: Analyzer, plain: Analyzer) -> None:
    """A rare word of a wordnet set meets the common word the knowledge base uses."""
    assert ("地址", "住址") in lexicon_synonym_sets()
    assert "地址" in analyzer.tokens("我的住址变了")
    assert "地址" not in plain.tokens("我的住址变了")
    assert analyzer.lexicon_synonym("住址") == "地址"
    assert analyzer.lexicon_synonym("地址") is None  # the common word stays itself
    assert analyzer.tokens("地址") == analyzer.tokens("住址") == ["地址"]
    assert "照片" in analyzer.tokens("相片发不过去")
    assert "期限" in analyzer.tokens("投诉处理时限")


def test_a_curated_synonym_wins_over_a_lexicon_one() -> None:
    managed = Analyzer(groups=[*seed_synonyms(), SynonymGroup("装机地址", ("住址",))])
    assert "装机地址" in managed.tokens("我的住址变了")
    assert "地址" not in managed.tokens("我的住址变了")
    assert managed.lexicon_synonym("住址") is None
    assert managed.synonym_map()["住址"] == "装机地址"  # the lexicon never shows up here


def test_managers_groups_keep_priority_at_run_time() -> None:
    own = Analyzer()
    assert own.lexicon_synonym("住址") == "地址"
    # A group holding the common word: the whole lexicon set steps aside.
    own.set_synonyms([*seed_synonyms(), SynonymGroup("地址", ("收货地址",))])
    assert own.lexicon_synonym("住址") is None
    assert own.tokens("住址") == ["住址"]
    own.set_synonyms(seed_synonyms())
    assert own.lexicon_synonym("住址") == "地址"


def test_curated_terms_never_expand(analyzer: Analyzer) -> None:
    for group in seed_synonyms():
        for term in (group.canonical, *group.variants):
            assert analyzer.lexicon_synonym(term) is None, term
    assert "补偿" in analyzer.tokens("赔钱")  # curated: 补偿|赔偿|赔钱|赔付


def test_the_lexicon_is_part_of_the_dictionary_version(analyzer: Analyzer,
                                                       plain: Analyzer) -> None:
    """Cached search tokens are rebuilt when a derived file changes."""
    assert analyzer.dictionary_version.startswith(f"{DICTIONARY_REVISION}:")
    assert ":lexicon-" in analyzer.dictionary_version
    assert analyzer.dictionary_version != plain.dictionary_version


# --- sources and notices ------------------------------------------------------------------


def test_each_derived_file_names_its_source_license_and_transformation() -> None:
    terms = (DATA / "lexicon_terms.txt").read_text("utf-8")
    synonyms = (DATA / "lexicon_synonyms.txt").read_text("utf-8")
    for text in (terms, synonyms):
        header = text.split("\n# Transformation:")[0]
        assert text.startswith("# ") and "scripts/build_lexicons.py" in header
        assert "NOTICE-lexicons.md" in header
        assert "# Transformation:" in text
    assert "THUOCL" in terms and "License: MIT" in terms
    assert "Chinese Open Wordnet" in synonyms and "Francis Bond and Shan Wang" in synonyms


def test_the_notice_file_ships_with_both_licenses() -> None:
    notice = (DATA / "NOTICE-lexicons.md").read_text("utf-8")
    assert "MIT License" in notice and "Copyright (c) 2018 THUNLP" in notice
    assert "Chinese Open Wordnet Copyright 2013,2014 by Francis Bond and Shan" in notice
    assert 'THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS"' in notice  # COW's disclaimer
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in notice  # MIT's
    package_data = tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["setuptools"][
        "package-data"]["seci"]
    for name in ("NOTICE-lexicons.md", *DERIVED):
        assert any(fnmatch(f"retrieval/data/{name}", pattern) for pattern in package_data), name


def test_derived_files_stay_moderate() -> None:
    for name in DERIVED:
        assert len((DATA / name).read_bytes()) < 300_000, name
    assert all(len(word) >= 2 for word, _ in lexicon_terms())
    sets = lexicon_synonym_sets()
    assert all(len(s) >= 2 and all(len(w) >= 2 for w in s) for s in sets)
    # Each rare word is rewritten to one common word, never again.
    members = [w for s in sets for w in s[1:]]
    assert len(members) == len(set(members))
    assert not set(members) & {s[0] for s in sets}
