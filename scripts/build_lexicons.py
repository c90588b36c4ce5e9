#!/usr/bin/env python3
"""Build SECI's derived dictionaries from the open lexicons (THUOCL and the Chinese Open Wordnet).

Run by hand when a lexicon or a rule below changes, then commit the output; SECI never runs
this at install or run time (it reads the files this writes):

    .venv/bin/python scripts/build_lexicons.py           # (re)write src/seci/retrieval/data/
    .venv/bin/python scripts/build_lexicons.py --check   # exit 1 when the files are out of date

Inputs, by path (defaults are the copies beside the checkout, ``../shared/data``):

- ``lexicons/thuocl/THUOCL_{IT,caijing,law}.txt`` (MIT): domain terms with document counts.
  The place-name list (diming) is left out: jieba already knows the places callers name.
- ``lexicons/cow/wn-data-cmn.tab`` (Chinese Open Wordnet license): synonym sets.
- Reference text for the segmentation check: the demo knowledge base and the CrossWOZ
  validation dialogues (ordinary customer ↔ agent Chinese). Nothing of it is copied.

Outputs, in ``src/seci/retrieval/data/``:

- ``lexicon_terms.txt``: ``word frequency`` lines for jieba.
- ``lexicon_synonyms.txt``: ``representative|member|…`` lines, one synonym set per line.
- ``NOTICE-lexicons.md``: where both come from, their licenses (verbatim) and citations.

The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jieba

from seci.retrieval.text import STOP_WORDS, normalize, seed_synonyms, telecom_terms

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "seci" / "retrieval" / "data"
SHARED = ROOT.parent / "shared" / "data"

# --- rules: terms (THUOCL) ----------------------------------------------------------------

# The lists used, each with its smallest document frequency and longest term kept. DF was
# counted on different corpora (IT: CSDN blogs; caijing and law: news), so each list has
# its own threshold and the frequencies below are scaled within each list.
TERM_LISTS = {"IT": (100, 6), "caijing": (5, 6), "law": (100, 5)}

# A term is kept only when it holds a word of telecom service and billing talk (general words
# such as 移动, 网络, 信号, 通信 or 卡 are not enough: in these lists they are mostly
# programming terms) …
DOMAIN = (
    "话费", "流量", "宽带", "套餐", "短信", "彩信", "通话", "电话", "手机", "号码", "漫游",
    "上网", "网速", "断网", "无线", "wifi", "路由器", "光纤", "光猫", "4g", "5g", "运营商",
    "来电", "热线", "客服", "营业厅", "充值", "缴费", "交费", "余额", "账单", "账号", "账户",
    "扣费", "扣款", "退款", "退费", "发票", "收据", "积分", "资费", "月租", "计费", "欠费",
    "违约", "支付", "到账", "密码", "验证码", "实名", "身份证", "注销", "登录", "挂失",
    "sim卡", "sd卡", "tf卡", "新卡", "开卡", "销卡", "移动网络", "移动通信", "网络异常",
    "网络设置", "网络状态", "网络连接", "网络诊断", "网络电视", "通信故障", "通讯录",
    "按月", "按日", "按天", "网购", "网银", "盗刷", "服务协议", "服务合同", "迟付", "打印单",
)
# … and nothing of programming, markets, statutes or courts.
OFF_DOMAIN = (
    "数据", "函数", "变量", "代码", "编程", "编译", "线程", "进程", "算法", "接口", "驱动",
    "协议", "框架", "开发", "服务器", "sql", "java", "android", "linux", "unix", "oracle",
    "ios", "qq", "root", "tcp", "im", "c语音", "字节", "指针", "数组", "类型", "对象", "调用",
    "实例", "模型", "节点", "网卡", "缓存", "架构", "引擎", "解析", "加载", "请求", "模块",
    "配置", "脚本", "模拟", "单点", "界面", "页面", "网页", "网站", "输入框", "密码框",
    "公钥", "对称", "分组密码", "密码体制", "密码分析", "密码技术", "密码系统", "密码学",
    "密码安全", "密码强度", "识别", "集成", "平台", "机房", "系统", "软件", "网游", "助手",
    "管家", "安全卫士", "股", "证券", "期货", "期权", "期指", "基金", "债", "信托", "汇",
    "银行", "银联", "信用卡", "存单", "止付", "合约", "办法", "条例", "规定", "罪", "法院",
    "诉讼", "律师", "暂行", "管理", "实施", "省", "市", "公约", "许可证", "委员会", "违约率",
    "领购", "大副", "校验", "重号", "拨号器", "定积分", "积分图", "未登录词", "流量表",
    "流量控制", "破解", "边界", "测试", "调试", "科学上网", "内支付", "多客服", "根本违约",
    "模式", "短信猫",
)
TERM_FREQ_LOW, TERM_FREQ_HIGH = 20, 400  # jieba's own words: median 3, 99th percentile 2403
_TERM_CHARS = re.compile(r"[\u4e00-\u9fff0-9a-z]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# --- rules: synonym sets (COW) ------------------------------------------------------------

SYN_MIN_LEN, SYN_MAX_LEN = 2, 4  # no single characters, no long phrases
SYN_MIN_FREQ = 30  # jieba's frequency: rarer words are not how callers talk
SYN_MAX_SET = 6  # larger sets are loose (general senses)
SYN_MAX_SENSES = 2  # a word in more kept sets than this means too many things
SYN_EVIDENCE = 2  # COW synsets two words must share when they share no character
# A member points to its set's representative (the most frequent member) only when it is at
# least this many times rarer: rare and colloquial wording meets the common word the
# knowledge base uses, while two common words (which articles use in their own senses)
# stay apart.
SYN_RATIO = 10
# Reviewed by hand (2026-11, on the output of the rules above): members whose wordnet set
# joins meanings a caller would not swap for the representative (入场 is not 进口, 开启 a
# feature is not 开始, 判定 a repeat complaint is not 决定 it, 物品 is not a 产品).
# representative → members left out.
SYN_DENY = {
    "个人": "凡人", "中枢": "中心点", "人体": "体形", "优势": "权势", "付出": "捐助",
    "交流": "交流电", "仪式": "礼制", "任务": "勤务", "伤口": "切口", "伪装": "假造",
    "信仰": "信义", "公园": "果园", "公路": "路径", "具有": "占有 持有", "出发": "走开",
    "分享": "分担", "力量": "影响力", "单位": "单元", "占领": "篡夺", "危险": "困苦 逆境",
    "历史": "记事", "反映": "映射", "发出": "排放", "发展": "发育", "吸引": "引诱",
    "合并": "化合", "国家": "国土", "坐落": "闲坐", "大人": "大官", "大厅": "前庭 会堂",
    "大王": "大款 大亨", "女儿": "女孩儿 小女孩", "宿舍": "旅社", "寻找": "搜查",
    "工匠": "技师", "工程师": "技师", "帝国主义": "扩张主义", "干涉": "刺探",
    "平台": "站台 月台", "形式": "外形", "影响": "后果", "怀抱": "抱抱", "态度": "风度",
    "情报": "报导", "情绪": "多愁善感", "感觉": "触觉", "成分": "元件 组件", "战争": "搏斗",
    "手段": "手艺", "打击": "冲撞", "扩张": "铺盖", "承担": "支承", "投入": "冲入",
    "持续": "拖延", "推广": "散播", "推翻": "打翻", "操作": "把持 摆布", "改造": "改过自新",
    "教主": "大主教", "教授": "教育学", "文明": "教化", "星系": "群星", "显示器": "指示器",
    "服装": "戏装", "模型": "模板", "民族": "家族 亲戚 家属 亲属", "气氛": "大气层 大气圈",
    "法规": "条款 法治", "条件": "条款", "法院": "仲裁庭", "注视": "冥思苦想",
    "涉及": "涉嫌", "清除": "排除异己", "港口": "避难所 避风港", "爱情": "慈爱",
    "现实": "真实性", "男子": "男孩子", "病毒": "毒害", "皮肤": "毛皮", "相信": "信以为真",
    "看见": "见证", "福利": "益处", "程度": "度数", "空气": "大气层", "纤维素": "纤维蛋白",
    "结构": "框架", "统治": "占优势", "绿色": "青色", "联系": "关联", "胎儿": "胎体",
    "航空": "航程", "行者": "步行者", "范围": "界限 分界线", "计划": "图样",
    "计算机": "计算器", "讨论": "争辩 洽谈", "论文": "杂文", "评价": "估价", "识别": "看清楚",
    "诱惑": "诱捕", "走进": "靠拢 挨近", "起来": "起立", "足球": "橄榄球", "进口": "入场",
    "进攻": "抨击", "进行": "前进", "途径": "路途", "遗留": "遗赠", "采取": "占用 承接",
    "释放": "解雇", "野人": "雪人", "错误": "误差", "陷入": "消沉 塌陷", "面积": "表面积",
    "骨干": "脊骨", "魅力": "魔力", "飞机": "飞船 飞艇", "值得": "应得", "先锋": "先锋派",
    "准备": "配备", "会议": "聚会", "专业": "特长 专长", "交界处": "结合点", "伙伴": "合伙人",
    "侦察": "侦探", "保证": "承保", "偿还": "报偿", "农业": "畜牧业 养殖业",
    "农民": "农场主", "削减": "删节", "剩下": "留待", "加工": "编造 捏造", "包围": "包住",
    "命运": "好运", "和平": "和睦", "图片": "绘图", "基础": "地基", "堵塞": "梗塞",
    "处罚": "处刑", "大豆": "青豆", "学者": "学习者", "学院": "研究院", "工程": "工程学",
    "废除": "逆转", "开始": "开启", "旅游": "旅游业", "旗帜": "军旗", "权利": "所有权",
    "海水": "盐水", "演员": "演奏者", "石英": "燧石 硅石", "立体": "立方体", "笑话": "笑柄",
    "致使": "诱使", "裤子": "裤管", "资本": "本金", "追求": "献殷勤 求爱", "障碍": "栅栏",
    "决定": "判定", "产品": "物品 制品 货物", "试验": "化验", "造成": "造就",
}
# WordNet part of speech → jieba tags a member may carry (i, l: idioms, set phrases).
# Adverbs (r) are left out: they carry little of what a question is about.
POS_TAGS = {"n": ("n", "vn", "an", "i", "l"), "v": ("v", "vn", "vd", "i", "l"),
            "a": ("a", "ad", "an", "i", "l", "z", "b"), "s": ("a", "ad", "an", "i", "l", "z")}
_SYN_WORD = re.compile(r"[\u4e00-\u9fff]+")


# --- inputs -------------------------------------------------------------------------------


def read_thuocl(path: Path) -> list[tuple[str, int]]:
    """(word, DF) rows; lines end in CR, LF or CRLF, some words carry a trailing space."""
    rows = []
    for line in re.split(r"\r\n|\r|\n", path.read_bytes().decode("utf-8")):
        parts = line.split("\t")
        if len(parts) == 2 and parts[1].strip().isdigit() and parts[0].strip():
            rows.append((parts[0].strip(), int(parts[1].strip())))
    return rows


def read_cow(path: Path) -> dict[str, list[str]]:
    """synset id → its lemmas, in file order."""
    synsets: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        synset, kind, lemma = line.split("\t")[:3]
        if kind.endswith(":lemma"):
            synsets[synset].append(lemma.strip())
    return synsets


def commit_of(source_md: Path) -> str:
    match = re.search(r"\*\*Commit:\*\*\s*`([0-9a-f]{40})`", source_md.read_text("utf-8"))
    if not match:
        raise SystemExit(f"{source_md}: no commit found")
    return match.group(1)


def reference_sentences(paths: Iterable[Path]) -> Iterator[str]:
    """Normalised sentences of the reference text (demo KB articles, CrossWOZ turns)."""
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            if "messages" in obj:  # CrossWOZ dialogue
                texts = [m["content"] for m in obj["messages"]]
            else:  # SECI import JSONL
                texts = [obj.get("title", ""), obj.get("body", ""),
                         *obj.get("similar_questions", [])]
            for text in texts:
                for sentence in re.split(r"[\n。！？!?；;]", text):
                    if sentence.strip():
                        yield normalize(sentence)


@dataclass
class Base:
    """jieba's own dictionary with SECI's terms, as the Analyzer builds it."""

    freq: dict[str, int]  # jieba's words (frequency > 0)
    tags: dict[str, str]
    seci_terms: list[tuple[str, int]]  # telecom_terms.txt, then curated synonym terms
    seci_words: set[str]

    @classmethod
    def load(cls) -> Base:
        jieba.setLogLevel(60)
        dict_txt = Path(jieba.__file__).parent / "dict.txt"
        freq, tags = {}, {}
        for line in dict_txt.read_text("utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0]] = int(parts[1])
                if len(parts) >= 3:
                    tags[parts[0]] = parts[2]
        seci_terms = list(telecom_terms())
        for group in seed_synonyms():
            seci_terms += [(term, 3000) for term in (group.canonical, *group.variants)
                           if len(term) >= 2]
        return cls(freq, tags, seci_terms, {word for word, _ in seci_terms})

    def tokenizer(self, lexicon: dict[str, int] | None = None) -> jieba.Tokenizer:
        """A tokenizer loaded the way ``Analyzer`` loads one: lexicon first, SECI's last."""
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word, freq in (lexicon or {}).items():
            tokenizer.add_word(word, freq)
        for word, freq in self.seci_terms:
            tokenizer.add_word(word, freq)
        return tokenizer


# --- terms --------------------------------------------------------------------------------


def candidate_terms(lexicons: Path, base: Base) -> dict[str, tuple[int, str]]:
    """THUOCL terms that pass the word rules: term → (scaled frequency, list)."""
    plain = base.tokenizer()
    chosen: dict[str, tuple[int, str]] = {}
    for name, (min_df, max_len) in TERM_LISTS.items():
        kept: list[tuple[str, int]] = []
        for raw, df in read_thuocl(lexicons / "thuocl" / f"THUOCL_{name}.txt"):
            word = normalize(raw)
            if (df < min_df or not 2 <= len(word) <= max_len
                    or _TERM_CHARS.fullmatch(word) is None or not _CJK.search(word)
                    or not any(key in word for key in DOMAIN)
                    or any(key in word for key in OFF_DOMAIN)
                    or base.freq.get(word, 0) > 0  # jieba knows it: its frequency stays
                    or word in base.seci_words  # SECI's own term wins
                    or any(len(term) >= 4 and term in word for term in base.seci_words)):
                continue
            kept.append((word, df))
        kept = list(dict.fromkeys(kept))
        kept.sort(key=lambda row: (-row[1], row[0]))
        for rank, (word, _) in enumerate(kept):
            if word in chosen:
                continue
            # log-scale by DF rank within the list: the most used term gets TERM_FREQ_HIGH.
            share = 1 - rank / max(len(kept) - 1, 1)
            scaled = TERM_FREQ_LOW * (TERM_FREQ_HIGH / TERM_FREQ_LOW) ** share
            # … and at least what keeps it whole on its own (jieba's suggest_freq).
            needed = plain.suggest_freq(word, tune=False)
            chosen[word] = (max(round(scaled), needed), name)
    return dict(sorted(chosen.items()))


def breaking_terms(terms: dict[str, int], base: Base, sentences: list[str]) -> dict[str, str]:
    """Terms that cut across a SECI word or a jieba word at least as frequent as the term,
    or hide a word that search segmentation would not emit again (4 characters or more),
    in the reference sentences; term → the sentence showing it."""
    plain, with_terms = base.tokenizer(), base.tokenizer(terms)
    broken: dict[str, str] = {}
    for sentence in sentences:
        before = list(plain.tokenize(sentence))
        after = [(w, s, e) for w, s, e in with_terms.tokenize(sentence) if w in terms]
        if not after:
            continue
        for term, start, end in after:
            for word, a, b in before:
                if (len(word) < 2 or plain.FREQ.get(word, 0) <= 0  # HMM guesses don't count
                        or b <= start or end <= a or (word, a, b) == (term, start, end)):
                    continue
                if start <= a and b <= end:
                    # cut_for_search emits the 2- and 3-character words inside a longer word.
                    harmful = len(word) >= 4
                else:  # a rarer word may lose to the term: '没到|账' → '没|到账'
                    harmful = word in base.seci_words or plain.FREQ[word] >= terms[term]
                if harmful:
                    broken.setdefault(term, f"{sentence} ({word})")
    return broken


def build_terms(lexicons: Path, base: Base, references: list[Path]
                ) -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    candidates = candidate_terms(lexicons, base)
    sentences = list(dict.fromkeys(reference_sentences(references)))
    dropped: dict[str, str] = {}
    terms = dict(candidates)
    while True:  # dropping a term can change the segmentation around another one
        broken = breaking_terms({w: f for w, (f, _) in terms.items()}, base, sentences)
        if not broken:
            return terms, dropped
        dropped.update(broken)
        terms = {w: v for w, v in terms.items() if w not in broken}


# --- synonym sets -------------------------------------------------------------------------


def build_synonyms(lexicons: Path, base: Base, terms: Iterable[str]) -> list[list[str]]:
    """COW synonym sets of common words that callers use interchangeably."""
    known = dict(base.freq)
    known.update(dict.fromkeys(terms, 1))

    def member(word: str, pos: str) -> bool:
        tag = base.tags.get(word, "")
        return (SYN_MIN_LEN <= len(word) <= SYN_MAX_LEN and _SYN_WORD.fullmatch(word) is not None
                and not word.endswith(("的", "地")) and word not in STOP_WORDS
                # SECI's words and the words inside them (短信 of 短信费, 会员 of 会员积分)
                # are telecom vocabulary: their meaning there is not the wordnet's.
                and not any(word in term for term in base.seci_words)
                and known.get(word, 0) >= SYN_MIN_FREQ
                and tag.startswith(POS_TAGS.get(pos, ())))

    synsets = {synset: sorted({normalize(lemma) for lemma in lemmas})
               for synset, lemmas in read_cow(lexicons / "cow" / "wn-data-cmn.tab").items()}
    together: dict[tuple[str, str], int] = defaultdict(int)  # synsets a pair shares
    for lemmas in synsets.values():
        for i, first in enumerate(lemmas):
            for second in lemmas[i + 1:]:
                together[first, second] += 1

    def related(first: str, second: str) -> bool:
        """Evidence beyond one synset that two words mean the same: a shared character
        (吸烟/抽烟, 地址/住址) or several shared synsets (取消/撤消). COW's synsets come
        from translating English senses; single translations merge unrelated words
        (模块/墨盒, 仆人/服务员)."""
        pair = (first, second) if first < second else (second, first)
        return bool(set(first) & set(second)) or together[pair] >= SYN_EVIDENCE

    sets: set[frozenset[str]] = set()
    for synset, lemmas in sorted(synsets.items()):
        pos = synset.rsplit("-", 1)[-1]
        members = {w for w in lemmas if member(w, pos)}
        while True:
            backed = {w for w in members if any(related(w, o) for o in members if o != w)}
            if backed == members:
                break
            members = backed
        if 2 <= len(members) <= SYN_MAX_SET:
            sets.add(frozenset(members))
    while True:
        # Only maximal sets: {取消, 废除} adds nothing to {取消, 废除, 撤消}.
        maximal = {s for s in sets if not any(s < other for other in sets)}
        senses: dict[str, int] = defaultdict(int)
        for kept in maximal:
            for word in kept:
                senses[word] += 1
        ambiguous = {word for word, count in senses.items() if count > SYN_MAX_SENSES}
        if not ambiguous and maximal == sets:
            break
        sets = {frozenset(s - ambiguous) for s in maximal}
        sets = {s for s in sets if len(s) >= 2}
    by_representative: dict[str, set[str]] = defaultdict(set)
    for kept in sets:
        representative, *others = sorted(kept, key=lambda w: (-known.get(w, 0), len(w), w))
        denied = set(SYN_DENY.get(representative, "").split())
        rarer = {w for w in others if known[representative] >= SYN_RATIO * known.get(w, 0)
                 and w not in denied}
        if rarer:
            by_representative[representative] |= rarer
    # A member is rewritten to one word: members of two lines (two meanings) and members
    # that are themselves a representative (it would not be rewritten twice) are left out.
    while True:
        count: dict[str, int] = defaultdict(int)
        for rarer in by_representative.values():
            for word in rarer:
                count[word] += 1
        unclear = {w for w, n in count.items() if n > 1 or w in by_representative}
        if not unclear:
            break
        by_representative = {rep: rarer - unclear for rep, rarer in by_representative.items()
                             if rarer - unclear}
    return [[representative, *sorted(rarer, key=lambda w: (-known.get(w, 0), len(w), w))]
            for representative, rarer in sorted(by_representative.items())]


# --- output -------------------------------------------------------------------------------


def terms_file(terms: dict[str, tuple[int, str]], thuocl_commit: str, dropped: int) -> str:
    counts: dict[str, int] = defaultdict(int)
    for _, name in terms.values():
        counts[name] += 1
    lists = ", ".join(f"{name} {counts[name]}" for name in TERM_LISTS)
    header = f"""\
# SECI lexicon terms for jieba: word frequency. GENERATED by scripts/build_lexicons.py, do not
# edit; SECI's own terms (telecom_terms.txt, synonyms.txt) are loaded after these and win.
# Source: THUOCL, Tsinghua Open Chinese Lexicon (github.com/thunlp/THUOCL, commit
#   {thuocl_commit}), lists IT, caijing, law. License: MIT, Copyright (c) 2018 THUNLP;
#   the notice is in NOTICE-lexicons.md. Cite: Han et al., THUOCL, 2016
#   (使用了清华大学开放中文词库).
# Transformation: normalised (simplified, lower case); kept when the term names something of
#   telecom service or billing and nothing of programming, markets or statutes, is 2-6
#   characters (law: 2-5), reaches the list's document-frequency threshold, and is not
#   already a jieba or SECI word; dropped when it cuts across a word in reference text
#   ({dropped} dropped). Frequency: log-scaled from the DF rank within its list to
#   {TERM_FREQ_LOW}-{TERM_FREQ_HIGH}, at least what keeps the term whole on its own.
# Terms per list: {lists}.
"""
    return header + "".join(f"{word} {freq}\n" for word, (freq, _) in terms.items())


def synonyms_file(sets: list[list[str]], cow_commit: str) -> str:
    denied = sum(len(members.split()) for members in SYN_DENY.values())
    members = sum(len(line) - 1 for line in sets)
    header = f"""\
# SECI lexicon synonyms: representative|member|... GENERATED by scripts/build_lexicons.py, do
# not edit. Search rewrites each member (a rare word) to its representative (a common word),
# below synonyms.txt: a line whose representative is in a curated or managers' group is
# ignored, and so is a member in such a group.
# Source: Chinese Open Wordnet (COW), from github.com/omwn/omw-data commit
#   {cow_commit}, wns/cow/wn-data-cmn.tab.
# License: Chinese Open Wordnet Copyright 2013,2014 by Francis Bond and Shan Wang. All rights
#   reserved. Permission to use, copy, modify and distribute for any purpose without fee or
#   royalty, provided the copyright notice and the disclaimer appear on all copies; both are
#   in NOTICE-lexicons.md. THE DATABASE IS PROVIDED "AS IS" WITHOUT WARRANTIES.
#   Cite: Wang and Bond (2013), Building the Chinese Open Wordnet (COW): Starting from Core
#   Synsets.
# Transformation: normalised; a member is kept when it has {SYN_MIN_LEN}-{SYN_MAX_LEN} Chinese
#   characters, is no stop word, SECI term or word inside one (短信 of 短信费), is a jieba
#   word of frequency >= {SYN_MIN_FREQ} whose part of speech fits the synset's (no adverbs), and
#   shares a character or {SYN_EVIDENCE}+ synsets with another member; sets of 2-{SYN_MAX_SET}
#   members, maximal ones only; words in more than {SYN_MAX_SENSES} sets dropped (ambiguous). The
#   representative is the most frequent member (jieba's dictionary); members are kept when
#   {SYN_RATIO}+ times rarer than it and not among the {denied} reviewed by hand as another
#   meaning; lines with the same representative merged; a member under two representatives,
#   or itself a representative, dropped. {len(sets)} lines, {members} members.
"""
    return header + "".join("|".join(members) + "\n" for members in sets)


def notice_file(lexicons: Path) -> str:
    thuocl = lexicons / "thuocl"
    cow = lexicons / "cow"
    return f"""\
# Notices for the lexicon-derived dictionaries

SECI (Apache-2.0) ships two dictionaries derived from open lexicons. They are generated by
`scripts/build_lexicons.py`; see `docs/search.md` ("Dictionaries and their sources").

| file | derived from | license |
|---|---|---|
| `lexicon_terms.txt` | THUOCL (Tsinghua Open Chinese Lexicon), lists IT, caijing, law | MIT |
| `lexicon_synonyms.txt` | Chinese Open Wordnet (COW) | COW license (WordNet-style) |

SECI's own `telecom_terms.txt`, `synonyms.txt`, `stopwords.txt` and `situations.txt` (the
situation lexicon: how callers describe a situation → the business concepts, written by hand
for SECI from how hotline callers talk, derived from no other lexicon or data set) are
written for SECI (Apache-2.0) and are not covered by this notice.

## THUOCL: Tsinghua Open Chinese Lexicon

- Source: https://github.com/thunlp/THUOCL, commit `{commit_of(thuocl / "SOURCE.md")}`,
  files `data/THUOCL_IT.txt`, `data/THUOCL_caijing.txt`, `data/THUOCL_law.txt`.
- Changes: terms filtered to telecom service and billing vocabulary, frequencies rescaled
  for jieba (the header of `lexicon_terms.txt` gives the rules).
- Citation: Shiyi Han, Yuhui Zhang, Yunshan Ma, Cunchao Tu, Zhipeng Guo, Zhiyuan Liu,
  Maosong Sun. THUOCL: Tsinghua Open Chinese Lexicon. 2016.
  (韩世依 等. THUOCL：清华大学开放中文词库. 2016.) 本软件使用了清华大学开放中文词库。

```text
{(thuocl / "LICENSE.txt").read_text("utf-8").strip()}
```

## Chinese Open Wordnet (COW)

- Source: https://github.com/omwn/omw-data, commit `{commit_of(cow / "SOURCE.md")}`,
  file `wns/cow/wn-data-cmn.tab` (http://compling.hss.ntu.edu.sg/cow/).
- Changes: synonym sets filtered to short common words and re-grouped (the header of
  `lexicon_synonyms.txt` gives the rules).
- Citation: Shan Wang and Francis Bond (2013). Building the Chinese Open Wordnet (COW):
  Starting from Core Synsets. Proceedings of the 11th Workshop on Asian Language
  Resources, a Workshop at IJCNLP 2013, pp. 10-18.

```text
{(cow / "LICENSE.txt").read_text("utf-8").strip()}
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lexicons", type=Path, default=SHARED / "lexicons",
                        help="directory holding thuocl/ and cow/ (default: %(default)s)")
    parser.add_argument("--reference", type=Path, action="append",
                        help="JSONL text for the segmentation check (SECI import or "
                             "CrossWOZ); default: the demo KB and CrossWOZ val")
    parser.add_argument("--out", type=Path, default=OUT, help="default: %(default)s")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file differs from what it would be")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list the terms dropped by the segmentation check")
    args = parser.parse_args(argv)
    references = args.reference or [ROOT / "src" / "seci" / "demo" / "articles.jsonl",
                                     SHARED / "crosswoz" / "val.jsonl"]
    lexicons: Path = args.lexicons

    base = Base.load()
    terms, dropped = build_terms(lexicons, base, references)
    sets = build_synonyms(lexicons, base, terms)
    files = {
        "lexicon_terms.txt": terms_file(terms, commit_of(lexicons / "thuocl" / "SOURCE.md"),
                                        len(dropped)),
        "lexicon_synonyms.txt": synonyms_file(sets, commit_of(lexicons / "cow" / "SOURCE.md")),
        "NOTICE-lexicons.md": notice_file(lexicons),
    }
    if args.verbose:
        for word, example in sorted(dropped.items()):
            print(f"dropped {word}: {example}", file=sys.stderr)
    stale = []
    for name, text in files.items():
        path = args.out / name
        current = path.read_text("utf-8") if path.exists() else None
        if args.check:
            if current != text:
                stale.append(name)
        elif current != text:
            path.write_text(text, "utf-8")
        print(f"{name}: {len(text.encode()):,} bytes"
              f"{' (stale)' if name in stale else ''}")
    print(f"{len(terms)} terms ({len(dropped)} dropped by the segmentation check), "
          f"{len(sets)} synonym lines with {sum(len(m) - 1 for m in sets)} members",
          file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
