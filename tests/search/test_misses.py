"""Searches people typed and did not find (issue 27): instrument names and abbreviations, a city among
the words, English, and a homophone typo that gets a "did you mean"."""
import pytest


@pytest.fixture
def catalogue(make_org, make_resource):
    nanjing = make_org(name="南京大学现代分析中心", city="南京")
    wuxi = make_org(name="江南大学分析测试中心", city="无锡")
    make_resource("instrument", nanjing, title="激光粒度分析仪 Mastersizer 3000",
                  description="湿法与干法测量颗粒粒径分布，0.01–3500 μm。")
    make_resource("instrument", wuxi, title="实时荧光定量PCR仪 QuantStudio 5",
                  description="基因表达、病原体核酸检测与SNP分型。")
    make_resource("instrument", nanjing, title="电感耦合等离子体质谱仪 Agilent 7900",
                  description="ICP-MS 测定水、土壤和食品中的重金属与痕量元素。")
    make_resource("instrument", nanjing, title="超高效液相色谱-三重四极杆质谱联用仪",
                  description="液相色谱-质谱联用（LC-MS/MS），药物代谢与农残定量。")
    make_resource("service", wuxi, title="锂离子电池安全性能检测服务", service_kind="testing",
                  description="动力电池与储能电池的针刺、挤压、过充检测。")
    make_resource("instrument", nanjing, title="场发射扫描电子显微镜 SU8010")


@pytest.mark.parametrize("q, expected", [
    ("激光粒度仪", "激光粒度分析仪 Mastersizer 3000"),
    ("PCR 检测 无锡", "实时荧光定量PCR仪 QuantStudio 5"),
    ("ICP-MS 重金属", "电感耦合等离子体质谱仪 Agilent 7900"),
    ("液质", "超高效液相色谱-三重四极杆质谱联用仪"),
    ("lithium battery", "锂离子电池安全性能检测服务"),
])
def test_the_reported_misses_are_found_first(catalogue, titles, q, expected):
    found = titles(q)
    assert found and found[0] == expected, (q, found)


def test_when_no_resource_has_every_word_those_with_most_of_them_come_with_a_notice(catalogue, api_search, client):
    body = api_search(q="PCR 检测 苏州")  # PCR and 检测 are there, but not in 苏州
    assert body["partial"] is True and body["items"][0]["title"] == "实时荧光定量PCR仪 QuantStudio 5"
    assert api_search(q="PCR 检测")["partial"] is False
    html = client.get("/search", query_string={"q": "PCR 检测 苏州"}).get_data(as_text=True)
    assert 'id="partial-match"' in html and "QuantStudio 5" in html


def test_a_homophone_typo_gets_a_did_you_mean(catalogue, api_search, client):
    body = api_search(q="质普")
    assert body["total"] == 0 and "质谱" in body["suggestions"]["terms"]
    html = client.get("/search", query_string={"q": "质普"}).get_data(as_text=True)
    assert "您是不是要找" in html and ">质谱</a>" in html
