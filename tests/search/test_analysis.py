"""Pure parts of search: cutting text, synonyms, query building, highlighting (no app, no database)."""
import pytest
from markupsafe import Markup

from marketplace.search import analysis
from marketplace.search import query as Q


def test_chinese_words_cut_with_user_dictionary():
    toks = analysis.tokens("石墨烯检测服务")
    assert "石墨烯" in toks and "检测" in toks
    assert analysis.tokens("液质联用", "query") == ["液质联用"]


def test_index_mode_holds_every_dictionary_word_inside_a_word():
    toks = analysis.tokens("透射电子显微镜")
    for part in ("透射电子显微镜", "电子显微镜", "显微镜", "显微", "透射"):
        assert part in toks
    # whatever a query cuts from the same text, the index holds
    for text in ("南京大学现代分析中心场发射透射电子显微镜", "核磁共振波谱仪", "高效液相色谱仪"):
        assert set(analysis.tokens(text, "query")) <= set(analysis.tokens(text))


def test_latin_words_and_model_numbers_kept_whole_case_insensitive():
    toks = analysis.tokens("JEOL JEM-2100F 透射电镜")
    assert "jem-2100f" in toks and "jeol" in toks
    assert {"jem", "2100f", "jem2100f"} <= set(toks)  # parts for partial typing
    assert analysis.tokens("ＪＥＭ－２１００Ｆ", "query") == ["jem-2100f"]  # full-width folded
    assert analysis.tokens("Jem-2100f", "query") == analysis.tokens("JEM-2100F", "query")
    assert "3.5" in analysis.tokens("分辨率 3.5 nm")


def test_ngrams_for_parts_of_words():
    grams = analysis.ngrams("电子显微镜")
    assert "显微" in grams and "子显" in grams and "镜" not in grams
    assert analysis.query_ngrams("显微") == ["显微"]
    assert analysis.query_ngrams("镜") == []


def test_shipped_synonyms_cover_the_field(tmp_path):
    syn = analysis.synonyms()
    assert "电子显微镜" in syn["电镜"]
    assert "核磁共振" in syn["核磁"]
    assert "扫描电子显微镜" in syn["sem"]
    assert "透射电子显微镜" in syn["tem"]
    assert "x射线衍射" in syn["xrd"]
    assert "高效液相色谱" in syn["hplc"]
    assert "液相色谱-质谱联用" in syn["液质联用"]
    f = tmp_path / "syn.txt"
    f.write_text("# comment\nA, 甲\n甲，乙  # merged with the line above\n\nlonely\n", encoding="utf-8")
    loaded = analysis.load_synonyms(f)
    assert set(loaded["a"]) == {"a", "甲", "乙"} and "lonely" not in loaded


@pytest.mark.parametrize("q", [
    '"', "(", ")", ":", "*", "AND", "OR", "NOT", "-", " - ", "title:电镜", "电镜 AND (核磁", "a" * 10_000,
    "\\", "'; DROP TABLE resources; --", "<script>alert(1)</script>", "\x00", "🔬🧪", "？？", "   ",
    "{}[]^~/", "电" * 600,
])
def test_any_text_parses(q):
    parsed = Q.parse(q)
    if parsed.tree is not None:
        Q.to_whoosh(parsed.tree)  # a valid Whoosh query object


def test_query_words_are_anded_and_expanded():
    parsed = Q.parse("南京 透射电镜")
    assert isinstance(parsed.tree, Q.And) and len(parsed.tree.items) == 2
    assert "透射电子显微镜" in parsed.marks and "南京" in parsed.marks
    assert Q.parse("").tree is None
    assert len(Q.parse(" ".join(f"词{i}" for i in range(50))).words) == Q.MAX_WORDS


def test_highlight_escapes_everything_but_marks():
    out = Q.highlight("<script>alert('电镜')</script> 电镜 & 核磁", {"电镜", "<"})
    assert isinstance(out, Markup)
    assert "<script>" not in out
    assert "&lt;" in out and "<mark>电镜</mark>" in out and "&amp;" in out
    # markup in the query cannot inject either
    out = Q.highlight("普通文本", {"<b>"})
    assert out == "普通文本"


def test_highlight_windows_long_text_around_the_match():
    text = "甲" * 500 + "扫描电镜" + "乙" * 500
    out = Q.highlight(text, {"扫描电镜"}, width=60)
    assert out.startswith("…") and out.endswith("…") and "<mark>扫描电镜</mark>" in out
    assert len(str(out)) < 120


def test_latin_marks_are_whole_words():
    out = Q.highlight("STEM-HAADF 与 TEM 成像，tem样品", {"tem"})
    assert out == "STEM-HAADF 与 <mark>TEM</mark> 成像，<mark>tem</mark>样品"


def test_highlight_marks_latin_words_whole_at_the_edges_and_the_longest_form_first():
    marks = {"jem-2100f", "2100f", "sem"}
    out = Q.highlight("JEM-2100F 电镜，X2100F 不是，2100F 是；SEM", marks)
    assert out == "<mark>JEM-2100F</mark> 电镜，X2100F 不是，<mark>2100F</mark> 是；<mark>SEM</mark>"
    # a digit or a letter that folds into a Latin one (ſ is a long s) joins the word, as before
    assert "<mark>" not in Q.highlight("9SEM ſSEM SEMs", marks)


def test_han_text_is_cut_into_the_words_jieba_gives():
    # the index and the queries cut Han runs with analysis._cut, a faster spelling of jieba's
    # cut(HMM=False): a word cut differently would make documents unfindable by what users type
    import random
    tok = analysis.jieba_tokenizer()
    words = sorted(w for w, f in tok.FREQ.items() if f and 1 <= len(w) <= 4 and analysis._JIEBA_HAN_RE.fullmatch(w))
    rnd = random.Random(32)
    runs = ["南京大学现代分析中心场发射透射电子显微镜", "核磁共振波谱仪", "的", "研究研究", "苏州工业园区纳米技术检测平台"]
    runs += ["".join(rnd.choice(words) for _ in range(rnd.randint(1, 10))) for _ in range(800)]
    runs += ["".join(chr(rnd.randint(0x4E00, 0x9FD5)) for _ in range(rnd.randint(1, 16))) for _ in range(200)]
    runs += ["\u3400电子\u9fa6显微镜\uf900"]  # characters jieba does not cut as Han: its own path
    for run in runs:
        assert analysis._cut(run) == list(tok.cut(run, HMM=False)), run
