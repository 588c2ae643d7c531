"""Realistic demo data for the Jiangsu resource hub, deterministic for a seed.

Pure functions, no database and no global random state:

- `generate_organisations(rng)` → list of organisation dicts (Organisation fields plus `key`,
  `parent` (key of the parent organisation), `domain`, `address`, `subtype`, `field`, `demo`).
- `generate_resources(n, seed, orgs)` → iterator of n flat resource dicts: the common Resource
  columns, the type's own columns (money in fen), plus `owner_key` and `platforms`.

The first 130 resources cover every type in every city (published), the next ones are published
instruments of the demo lab (lab@demo.cn); the rest follow a realistic mix in which instruments
are the largest share. Benchmarks use the output as a search corpus, so text is composed from
many word lists and titles are unique.
"""
from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from ..catalog.types import RESOURCE_TYPES, SERVICE_MODES
from ..core.reference import CITIES
from . import orgs as O
from . import vocab as V

CITY_LIST = list(CITIES)
TYPE_LIST = list(RESOURCE_TYPES)

# A fixed reference time keeps the output identical across runs; seed_demo passes today.
ANCHOR = datetime(2026, 11, 1, 2, 0, 0)

TYPE_WEIGHTS = {"instrument": 44, "facility": 6, "talent": 12, "institution": 4, "dataset": 5, "achievement": 12,
                "finance": 2, "service": 7, "incubator": 2, "bioresource": 6}
CITY_WEIGHTS = {"南京": 20, "无锡": 10, "徐州": 7, "常州": 8, "苏州": 20, "南通": 6, "连云港": 3, "淮安": 4,
                "盐城": 4, "扬州": 5, "镇江": 5, "泰州": 4, "宿迁": 3}
STATUS_WEIGHTS = {"published": 86, "pending_review": 5, "draft": 4, "rejected": 2, "offline": 2, "archived": 1}
# Which kinds of organisation own which type, with weights.
OWNER_KINDS = {
    "instrument": {"university": 6, "research_institute": 4, "service_firm": 2, "enterprise": 1},
    "facility": {"research_institute": 4, "university": 3, "enterprise": 2, "incubator": 2},
    "talent": {"university": 6, "research_institute": 3, "enterprise": 2},
    "institution": {"university": 5, "research_institute": 3, "enterprise": 2},
    "dataset": {"university": 4, "research_institute": 5, "government": 1},
    "achievement": {"university": 5, "research_institute": 3, "enterprise": 3},
    "finance": {"finance_institution": 1},
    "service": {"service_firm": 6, "research_institute": 2, "university": 1},
    "incubator": {"incubator": 6, "university": 1},
    "bioresource": {"university": 5, "research_institute": 4, "enterprise": 1},
}
DEMO_LAB_INSTRUMENTS = 12
TOP_LEVEL_TYPES = ("talent", "institution", "achievement", "dataset")
# Keyword → discipline, first match wins.
DISCIPLINES = [
    (("药物", "药学", "中药", "制剂", "创新药", "药科", "药康", "医药"), "药学"),
    (("医", "肿瘤", "神经", "抗体", "临床", "公共卫生", "疾病", "生命健康"), "医学"),
    (("生物", "发酵", "细胞", "基因", "菌", "蛋白", "核酸", "动物"), "生命科学"),
    (("食品", "乳", "茶", "营养", "江南大学"), "食品科学与工程"),
    (("电池", "能源", "光伏", "氢", "电网", "燃料", "储能", "碳达峰", "煤", "矿业"), "能源动力"),
    (("芯片", "集成电路", "半导体", "电子", "通信", "传感", "显示", "5G", "光电", "激光", "物联网", "邮电", "微纳", "MEMS"),
     "电子信息"),
    (("作物", "种业", "种质", "育种", "农", "植物", "水稻", "小麦", "林业", "园艺"), "农学"),
    (("土壤", "水质", "水环境", "水污染", "水资源", "地表水", "地下水", "湖泊", "大气", "环境", "污染", "环保"),
     "环境科学与工程"),
    (("计算机", "人工智能", "数据", "视觉", "互联网", "算法", "软件", "数字", "信息"), "计算机科学"),
    (("机器人", "制造", "机械", "装备", "数控", "加工", "工程机械", "汽车", "轨道", "精密", "航空航天", "理工"), "机械工程"),
    (("船舶", "海洋", "船海", "水产"), "海洋科学"),
    (("道路", "岩土", "建筑", "桥梁", "交通", "混凝土", "水利", "城市"), "土木工程"),
    (("地质", "岩石", "文物", "天文", "地理", "气象"), "地球科学"),
    (("化工", "催化", "膜", "分子筛", "过程"), "化学工程"),
    (("材料", "合金", "石墨烯", "纤维", "高分子", "薄膜", "陶瓷", "涂层", "量子点", "纳米", "液晶", "纺织"), "材料科学"),
    (("化学", "分析测试"), "化学"),
]


# The disciplines an owner of one discipline plausibly keeps data, materials and test sites in (itself
# included): a pharmacy school keeps cell lines, not a soil survey; an observatory keeps weather records,
# not a cancer cohort. An owner without a discipline (a comprehensive university) may hold anything.
RELATED_DISCIPLINES = {
    "生命科学": {"生命科学", "医学", "药学", "食品科学与工程", "农学"},
    "医学": {"医学", "生命科学", "药学"},
    "药学": {"药学", "医学", "生命科学", "化学"},
    "食品科学与工程": {"食品科学与工程", "生命科学", "农学", "化学"},
    "农学": {"农学", "生命科学", "食品科学与工程", "环境科学与工程", "地球科学"},
    "能源动力": {"能源动力", "材料科学", "化学工程", "电子信息", "机械工程", "环境科学与工程"},
    "电子信息": {"电子信息", "计算机科学", "材料科学", "机械工程"},
    "环境科学与工程": {"环境科学与工程", "地球科学", "化学", "农学", "海洋科学", "化学工程"},
    "计算机科学": {"计算机科学", "电子信息"},
    "机械工程": {"机械工程", "材料科学", "电子信息", "能源动力", "土木工程"},
    "海洋科学": {"海洋科学", "地球科学", "环境科学与工程", "生命科学", "机械工程"},
    "土木工程": {"土木工程", "材料科学", "地球科学", "机械工程", "计算机科学"},
    "地球科学": {"地球科学", "环境科学与工程", "海洋科学", "农学", "土木工程"},
    "化学工程": {"化学工程", "化学", "材料科学", "能源动力", "环境科学与工程"},
    "材料科学": {"材料科学", "化学", "化学工程", "能源动力", "电子信息", "机械工程"},
    "化学": {"化学", "材料科学", "化学工程", "药学", "环境科学与工程", "食品科学与工程", "生命科学"},
}
# What each kind of biological resource is about.
BIO_KIND_DISCIPLINE = {"strain": "生命科学", "cell_line": "生命科学", "germplasm": "农学", "sample_bank": "医学",
                       "lab_animal": "生命科学"}


def fits_owner(owner_discipline: str | None, discipline: str | None) -> bool:
    """A resource about `discipline` is plausible for an owner of `owner_discipline`."""
    return owner_discipline is None or discipline is None or \
        discipline in RELATED_DISCIPLINES.get(owner_discipline, {owner_discipline})


def discipline_for(text: str, rng=None) -> str | None:
    """The discipline a text speaks of (first keyword match), else a random one (or None without rng)."""
    for words, discipline in DISCIPLINES:
        if any(w in text for w in words):
            return discipline
    return rng.choice(V.LISTS["discipline"]) if rng is not None else None


_TALENT_BY_DISC: dict[str, list[str]] = {}
for _f in V.TALENT_FIELDS:
    _TALENT_BY_DISC.setdefault(discipline_for(_f), []).append(_f)


def topic(discipline: str | None) -> dict:
    """Template context restricting {@app} and {@material} to a discipline."""
    if not discipline:
        return {}
    ctx = {"@app": V.DISC_APPS.get(discipline, V.LISTS["app"])}
    if discipline in V.BIO_DISCIPLINES:
        ctx["@material"] = V.LISTS["biosample"]
        ctx["@method"] = V.LISTS["biomethod"]
    return ctx


REJECT_REASONS = [
    "仪器原值与资产账不一致，请补充资产编号",
    "收费标准缺少校内价格依据，请补充物价备案文件",
    "联系方式不完整",
    "成果权属证明材料缺失",
    "描述过于简单，请补充主要功能与技术指标",
    "重复发布，请合并至已有条目",
]
CN_NUM = "零一二三四五六七八九十"

_TOKEN = re.compile(r"\{([^{}]*)\}")


def expand(rng: random.Random, text: str, ctx: dict | None = None) -> str:
    """Fill a template: {a|b} picks one, {@list} a word of vocab.LISTS (or of ctx['@list']),
    {#lo-hi} a number, {name} the value ctx['name']."""
    def repl(m):
        body = m.group(1)
        if body.startswith("@"):
            return rng.choice(ctx[body] if ctx and body in ctx else V.LISTS[body[1:]])
        if body.startswith("#"):
            lo, hi = body[1:].split("-")
            return str(rng.randint(int(lo), int(hi)))
        if "|" in body:
            return rng.choice(body.split("|"))
        if ctx and body in ctx:
            return str(ctx[body])
        return m.group(0)
    for _ in range(4):  # inner {…} first, then the alternatives that contain them
        new = _TOKEN.sub(repl, text)
        if new == text:
            break
        text = new
    return text


# -- identifiers ------------------------------------------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _org_code(rng) -> str:
    """A 9-character organisation code (GB 11714) with its check character."""
    body = [rng.randint(0, 9) for _ in range(8)]
    s = sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c = 11 - s % 11
    check = "X" if c == 10 else "0" if c == 11 else str(c)
    return "".join(map(str, body)) + check


def credit_code(rng, city: str, authority: str = "9", kind: str = "1") -> str:
    """A unified social credit code (GB 32100-2015) with a valid check character."""
    division = O.CITY_CODES[city][0] + rng.choice(["02", "04", "05", "06", "11", "13", "15"])
    code = authority + kind + division + _org_code(rng)
    s = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(code, _USCC_WEIGHTS, strict=True))
    return code + _USCC_CHARS[(31 - s % 31) % 31]


def patent_number(rng, year: int, kind: int) -> str:
    """A Chinese patent number ZL + year + kind + 7-digit serial + '.' + check digit."""
    digits = f"{year}{kind}{rng.randint(0, 9_999_999):07d}"
    s = sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))
    check = s % 11
    return f"ZL{digits}.{'X' if check == 10 else check}"


def person(rng) -> tuple[str, str]:
    """A Chinese name and its pinyin (for e-mail addresses)."""
    sur, sur_py = rng.choice(O.SURNAMES)
    given = [rng.choice(O.GIVEN) for _ in range(1 if rng.random() < 0.35 else 2)]
    return sur + "".join(g[0] for g in given), sur_py + "".join(g[1] for g in given)


# -- organisations ----------------------------------------------------------------------------------

def _address(rng, city):
    district = rng.choice(O.CITY_CODES[city][2])
    return f"江苏省{city}市{district}{rng.choice(O.ROADS)}{rng.randint(1, 999)}号"


def generate_organisations(rng: random.Random) -> list[dict]:
    """Return the organisations of the demo, parents before their children."""
    out: list[dict] = []
    names: set[str] = set()
    keys: set[str] = set()

    def add(name, kind, city, key, *, parent=None, sme=False, high_tech=False, in_province=True,
            subtype=None, field=None, demo=None, authority="9", code_kind="1"):
        if name in names:
            return None
        base, i = key, 2
        while key in keys:
            key, i = f"{base}{i}", i + 1
        names.add(name)
        keys.add(key)
        org = {"key": key, "name": name, "kind": kind, "city": city, "sme": sme, "high_tech": high_tech,
               "in_province": in_province, "parent": parent, "credit_code": credit_code(rng, city, authority, code_kind),
               "domain": f"{key}.demo.cn", "address": _address(rng, city), "subtype": subtype, "field": field,
               "demo": demo}
        out.append(org)
        return org

    add("江苏省科技资源统筹服务中心", "government", "南京", "jssrc", demo="platform", authority="1", code_kind="2")
    for name, city, slug, children in O.UNIVERSITIES:
        add(name, "university", city, slug, authority="1", code_kind="2")
        for child in children:
            demo = "lab" if name == "南京大学" and child == "现代分析中心" else None
            add(name + child, "university", city, f"{slug}-{len(out)}", parent=slug, demo=demo,
                authority="1", code_kind="2")
    for name, city, slug in O.INSTITUTES:
        add(name, "research_institute", city, slug, authority="1", code_kind="2")
    for name, city, slug in O.JITRI_INSTITUTES:
        add(name, "research_institute", city, slug, parent="jitri", authority="5", code_kind="2")
    for name, city, slug, subtype in O.FINANCE_PROVINCIAL:
        add(name, "finance_institution", city, slug, subtype=subtype)
    for city in CITY_LIST:
        add(f"江苏银行{city}分行", "finance_institution", city, f"jsbank-{O.CITY_SLUG[city]}", subtype="bank")
    for name, city, slug in O.INCUBATORS:
        add(name, "incubator", city, slug)
    for name, city, slug, subtype in O.SERVICE_PROVINCIAL:
        add(name, "service_firm", city, slug, subtype=subtype, authority="1", code_kind="2")
    add("江苏汇智技术转移服务有限公司", "service_firm", "南京", "huizhi-tt", subtype="tech_transfer", demo="broker")
    for city in CITY_LIST:
        cs = O.CITY_SLUG[city]
        add(f"{city}市检验检测认证中心", "service_firm", city, f"{cs}-testing", subtype="testing",
            authority="1", code_kind="2")
        brand, py = rng.choice(O.BRANDS)
        add(f"江苏{brand}检测技术有限公司{city}分公司" if rng.random() < 0.3 else f"{city}{brand}检测技术有限公司",
            "service_firm", city, f"{py}-test-{cs}", subtype="testing")
        brand, py = rng.choice(O.BRANDS)
        subtype, word = rng.choice([("tech_transfer", "技术转移服务有限公司"), ("ip_agency", "知识产权代理有限公司"),
                                    ("consulting", "科技咨询有限公司"), ("tech_transfer", "技术经理人事务所有限公司")])
        add(f"{city}{brand}{word}", "service_firm", city, f"{py}-{cs}", subtype=subtype)
    # The demo company: an in-province SME in Suzhou.
    add("苏州博远新材料科技有限公司", "enterprise", "苏州", "boyuan-sz", sme=True, high_tech=False,
        field="materials", demo="company")
    # Enterprises in every city, in proportion to the city's weight.
    for city in CITY_LIST:
        cs = O.CITY_SLUG[city]
        for _ in range(4 + CITY_WEIGHTS[city]):
            brand, py = rng.choice(O.BRANDS)
            industry, field, ht = rng.choice(O.INDUSTRIES)
            high_tech = rng.random() < ht
            sme = rng.random() < 0.7
            name = rng.choice([f"{city}{brand}{industry}有限公司", f"江苏{brand}{industry}股份有限公司",
                               f"{city}{brand}{industry}有限公司", f"江苏{brand}{industry}集团有限公司"])
            add(name, "enterprise", city, f"{py}-{cs}", sme=sme, high_tech=high_tech, field=field)
    # A few out-of-province companies operating in Jiangsu (no user-side subsidy).
    for region in O.OUT_OF_PROVINCE:
        brand, py = rng.choice(O.BRANDS)
        industry, field, _ = rng.choice(O.INDUSTRIES)
        city = rng.choice(["苏州", "南京", "无锡", "南通", "常州"])
        add(f"{region}{brand}{industry}有限公司", "enterprise", city, f"{py}-out", sme=rng.random() < 0.5,
            high_tech=True, in_province=False, field=field)
    return out


# -- resources --------------------------------------------------------------------------------------

def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _maker_short(maker: str) -> str:
    m = re.search(r"（(.+?)）", maker)
    return m.group(1) if m else maker


def _tags(*words, extra=None) -> str:
    seen, out = set(), []
    for w in list(words) + list(extra or []):
        w = (w or "").replace(",", " ").strip()
        if w and w not in seen:
            seen.add(w)
            out.append(w)
    text = ",".join(out)
    while len(text) > 200:
        out.pop()
        text = ",".join(out)
    return text


class _Builder:
    def __init__(self, rng: random.Random, orgs: list[dict]):
        self.rng = rng
        self.orgs = orgs
        self.by_key = {o["key"]: o for o in orgs}
        self.candidates: dict[tuple[str, str], tuple[list[dict], list[float]]] = {}
        for rtype, kinds in OWNER_KINDS.items():
            for city in CITY_LIST:
                cands, cum, total = [], [], 0.0
                for o in orgs:
                    if o["city"] != city or o["kind"] not in kinds:
                        continue
                    w = kinds[o["kind"]]
                    if rtype == "instrument" and o["parent"] and o["kind"] == "university":
                        w *= 3  # analysis centres hold most instruments
                    if rtype == "instrument" and o["subtype"] not in (None, "testing"):
                        continue  # banks and brokers do not own instruments
                    if rtype == "service" and o["kind"] == "university" and not o["parent"]:
                        continue
                    if rtype in (*TOP_LEVEL_TYPES, "incubator") and o["kind"] == "university" and o["parent"]:
                        continue  # people, institutions, results and incubators belong to the university itself
                    if not self.could_own(rtype, o):
                        continue
                    total += w
                    cands.append(o)
                    cum.append(total)
                if not cands:  # fall back to any owner of the type in the province
                    for o in orgs:
                        if o["kind"] in kinds and self.could_own(rtype, o):
                            total += 1
                            cands.append(o)
                            cum.append(total)
                self.candidates[(rtype, city)] = (cands, cum)

    def org_discipline(self, org) -> str | None:
        if "_discipline" not in org:
            if org["kind"] == "enterprise" and org.get("field"):
                org["_discipline"] = V.FIELD_DISCIPLINE.get(org["field"])
            else:
                parent = self.by_key.get(org["parent"]) if org["parent"] else None
                org["_discipline"] = discipline_for(org["name"] + (parent["name"] if parent else ""))
        return org["_discipline"]

    def could_own(self, rtype, org) -> bool:
        """Datasets and biological materials go to owners whose discipline fits at least one of them."""
        if rtype == "dataset":
            return any(fits_owner(self.org_discipline(org), d) for _t, d, _f in V.DATASET_TOPICS)
        if rtype == "bioresource":
            return any(fits_owner(self.org_discipline(org), d) for d in BIO_KIND_DISCIPLINE.values())
        return True

    def owner(self, rtype, city):
        cands, cum = self.candidates[(rtype, city)]
        return self.rng.choices(cands, cum_weights=cum)[0]

    # Each builder returns (title, summary, description, tags, discipline, own fields).

    def instrument(self, org, status):
        rng = self.rng
        (name, abbr, cats, makers, (vmin, vmax), unit, (pmin, pmax), modes, discipline,
         functions, specs, samples) = rng.choice(V.INSTRUMENTS)
        maker_row = rng.choice(makers)
        maker, country, model = maker_row[0], maker_row[1], rng.choice(maker_row[2:])
        vmin, vmax = max(vmin, 30), min(vmax, 3000)
        value_yuan = rng.randint(vmin * 100, vmax * 100) * 100
        mode = rng.choice(modes)
        price_unit = "hour" if mode == "self_operated" else "sample" if mode == "sample_submission" else unit
        internal = rng.randint(pmin, pmax)
        internal = internal - internal % 10 if internal >= 50 else internal
        external = int(internal * rng.choice((1.5, 1.6, 1.8, 2.0, 2.5)))
        external = max(external - external % 10, internal + 10)
        purchase = date(rng.randint(2008, 2025), rng.randint(1, 12), rng.randint(1, 28))
        ctx = topic(discipline)
        apps = rng.sample(ctx["@app"], 3)
        fn = expand(rng, functions, ctx) + expand(rng, rng.choice([
            "可为{a0}、{a1}等领域的企业与科研单位提供{@method}服务。",
            "近三年累计服务校外用户 {#20-400} 家，年均有效机时 {#800-2400} 小时。",
            "仪器配备专职技术人员 {#1-4} 名，可提供方法开发与数据解析。",
            "支持{a0}与{a2}方向的测试分析，可出具检测报告。",
        ]), {"a0": apps[0], "a1": apps[1], "a2": apps[2]})
        unit_zh = "小时" if price_unit == "hour" else "样"
        spec_text = expand(rng, specs)  # one draw: the description quotes the same specs as the field
        title = f"{name} {_maker_short(maker)} {model}｜{org['name']}"
        summary = (f"{org['name']}{name}（{abbr}），{country}{maker.split('（')[0]} {model}，原值 "
                   f"{value_yuan / 10000:.0f} 万元，{SERVICE_MODES[mode]}；对外 {external} 元/{unit_zh}。")
        description = "\n\n".join([
            fn,
            f"技术指标：{spec_text}",
            expand(rng, "{本仪器已纳入江苏省大型科学仪器开放共享平台|仪器面向社会开放共享|仪器对校内外用户开放}，"
                        "{工作日 8:30–17:30 开放|每周一至周五 8:30–17:30 开放|工作日开放，节假日可预约}，"
                        "{可申请省级双向补贴|符合条件的省内企业可享受创新券补贴|提供技术咨询与培训}。"),
        ])
        tags = _tags(abbr, cats[2], apps[0], apps[1], expand(rng, "{@material}", ctx),
                     extra=rng.sample(V.TAG_EXTRA, 1))
        building = rng.choice(V.LISTS["building"])
        fields = {
            "model": model, "manufacturer": maker, "country": country, "original_value": value_yuan * 100,
            "purchase_date": purchase, "category_l1": cats[0], "category_l2": cats[1], "category_l3": cats[2],
            "location": f"{org['address']} {building}{rng.randint(1, 9)}{rng.randint(0, 2)}{rng.randint(1, 9)}室",
            "functions": fn, "specs": spec_text, "service_mode": mode, "price_unit": price_unit,
            "internal_price": internal * 100, "external_price": external * 100,
            "sample_requirements": expand(rng, samples),
            "bookable": status == "published" and rng.random() < 0.92,
        }
        return title, summary, description, tags, discipline, fields

    def facility(self, org, status):
        rng = self.rng
        kind = _pick(rng, {"open_lab": 5, "pilot_line": 3, "test_field": 2})
        ctx = topic(self.org_discipline(org))
        owner_disc = self.org_discipline(org)
        templates = V.FACILITY_KINDS[kind]
        part = expand(rng, rng.choice([t for t in templates if fits_owner(owner_disc, discipline_for(t))]
                                      or templates), ctx)
        title = f"{org['name']}{part}"
        area = rng.randint(200, 8000) if kind != "test_field" else rng.randint(5000, 600000)
        capacity = rng.randint(10, 300)
        bio = self.org_discipline(org) in V.BIO_DISCIPLINES
        kinds = [k for k in V.INSTRUMENTS if (k[8] in V.BIO_DISCIPLINES) == bio]
        equipment = "、".join(f"{k[0]} {rng.choice(rng.choice(k[3])[2:])}" for k in rng.sample(kinds, rng.randint(3, 7)))
        kind_zh = RESOURCE_TYPES["facility"].fields[0].choices[kind][0]
        terms = expand(rng, "{面向入驻企业和高校院所开放|对省内科技型中小企业优先开放|按项目合作方式开放}，"
                            "{按小时计费|按小时计费，长期使用另议|按小时计费，含基础耗材}，{需签订保密协议|需提前两周预约|提供工艺工程师驻场支持}。")
        apps = rng.sample(ctx.get("@app", V.LISTS["app"]), 2)
        description = expand(rng, f"{part}建筑面积约 {area:,} 平方米，可同时容纳 {capacity} 人开展工作，"
                                  "{聚焦|围绕|面向}{a0}与{a1}，提供{@method}、工艺开发与{小批量试制|样品验证|工程化放大}服务。"
                                  "\n\n主要设备：{eq}。", {**ctx, "a0": apps[0], "a1": apps[1], "eq": equipment})
        summary = f"{kind_zh}，{area:,} 平方米，面向{apps[0]}、{apps[1]}开放。"
        # The rate card follows from the kind and size (no extra draws, so the rest of the stream is unchanged):
        # an open lab ¥200–¥800 an hour, a pilot line or test field ¥800–¥2,600; own organisation pays 60 %.
        base = 200 if kind == "open_lab" else 800
        external = (base + (area % 7) * (100 if kind == "open_lab" else 300)) * 100
        fields = {"facility_kind": kind, "area_m2": area, "capacity": capacity, "equipment_list": equipment,
                  "opening_terms": terms, "price_unit": "hour", "external_price": external,
                  "internal_price": external * 6 // 10, "bookable": kind != "test_field"}
        return title, summary, description, _tags(kind_zh, apps[0], apps[1]), discipline_for(part, rng), fields

    def talent(self, org, status):
        rng = self.rng
        name, _ = person(rng)
        titles = V.TALENT_TITLES if org["kind"] != "enterprise" else [("正高级工程师", 5), ("高级工程师", 5)]
        pro = _pick(rng, dict(titles))
        disc = self.org_discipline(org)
        fields_ok = _TALENT_BY_DISC.get(disc, [])
        field = rng.choice(fields_ok or V.TALENT_FIELDS)
        ctx = topic(discipline_for(field))
        honours = rng.sample(V.TALENT_HONOURS, rng.randint(0, 2))
        expertise = expand(rng, "长期从事{field}研究，在{@material}、{@method}等方面积累了丰富经验；"
                                "{可为企业提供技术诊断与工艺优化|可牵头组建校企联合攻关团队|熟悉产业化全过程|擅长从实验室到中试的工程放大}，"
                                "服务{@app}与{@app}产业。", {**ctx, "field": field})
        achievements = expand(rng, "主持国家重点研发计划课题 {#1-3} 项、国家自然科学基金项目 {#1-8} 项；发表 SCI 论文 {#20-260} 篇；"
                                   "授权发明专利 {#3-80} 件，{#1-12} 项实现转化；获{江苏省科学技术奖一等奖|国家技术发明奖二等奖|"
                                   "教育部科技进步奖二等奖|中国专利优秀奖|江苏省专利金奖}。")
        honours = [expand(rng, h) for h in honours]
        if honours:
            achievements += "入选" + "、".join(honours) + "。"
        title = f"{name}｜{pro}｜{field}（{org['name']}）"
        summary = f"{org['name']}{pro}，研究方向：{field}。"
        fields = {"person_name": name, "pro_title": pro, "field": field, "institution": org["name"],
                  "expertise": expertise, "achievements": achievements, "consulting": rng.random() < 0.8,
                  "secondment": org["kind"] != "enterprise" and rng.random() < 0.45}
        return title, summary, expertise + "\n\n" + achievements, _tags(field, pro, *honours[:1]), \
            discipline_for(field, rng), fields

    def institution(self, org, status):
        rng = self.rng
        kind = _pick(rng, {"key_lab": 4, "engineering_centre": 4, "new_rd_institute": 2})
        level = "national" if rng.random() < 0.18 else "provincial"
        ctx = topic(self.org_discipline(org))
        name = expand(rng, rng.choice(V.INSTITUTION_NAMES[kind]), {**ctx, "city": org["city"]})
        ctx = topic(discipline_for(name)) or ctx
        areas = "；".join(dict.fromkeys(
            expand(rng, rng.choice(["{@material}制备与应用", "{@app}关键技术", "{@method}新方法", "{@app}装备研发",
                                    "{@material}结构与性能调控"]), ctx) for _ in range(rng.randint(3, 5))))
        staff = rng.randint(20, 600)
        kind_zh = RESOURCE_TYPES["institution"].fields[0].choices[kind][0]
        title = f"{name}（依托单位：{org['name']}）"
        description = expand(rng, f"{name}依托{org['name']}建设，现有固定研究人员 {staff} 人，"
                                  "{拥有仪器设备原值 {#3000-30000} 万元|建有实验用房 {#2000-30000} 平方米}。"
                                  f"主要研究方向：{areas}。" "{面向行业开放课题与联合攻关|与企业共建联合实验室 {#3-30} 个|"
                                  "近五年承担国家和省部级项目 {#20-200} 项}。")
        fields = {"inst_kind": kind, "level": level, "research_areas": areas, "staff_count": staff}
        return title, f"{'国家级' if level == 'national' else '省级'}{kind_zh}，{areas.split('；')[0]}等方向。", \
            description, _tags(kind_zh, *areas.split("；")[:2]), discipline_for(name, rng), fields

    def dataset(self, org, status):
        rng = self.rng
        owner_disc = self.org_discipline(org)
        template, discipline, fmt = rng.choice([t for t in V.DATASET_TOPICS if fits_owner(owner_disc, t[1])]
                                               or V.DATASET_TOPICS)
        ctx = topic(discipline)
        name = template.format(region=rng.choice(V.REGIONS + [f"{org['city']}市"] * 4), crop=rng.choice(V.CROPS),
                               material=rng.choice(V.LISTS["material"]), app=rng.choice(ctx["@app"]),
                               disease=rng.choice(V.DISEASES))
        period = rng.choice(V.LISTS["period"])
        title = f"{name}（{period}）｜{org['name']}"
        big = any(f in fmt for f in ("FASTQ", "DICOM", "GeoTIFF", "NetCDF", "HDF5", "TIFF", "JPEG"))
        unit = rng.choice(["GB", "GB", "TB"] if big else ["MB", "MB", "GB"])
        size = f"{rng.randint(1, 999)}.{rng.randint(0, 9)} {unit}"
        access = "open" if rng.random() < 0.6 else "on_request"
        year = rng.randint(2018, 2026)
        description = expand(rng, f"{name}，时间范围 {period}，" "{由|依托}{org}{长期观测|野外调查|实验测试|业务系统汇聚}形成，"
                                  "包含{#5-300}个变量、{#1000-9000000}条记录，已完成质量控制与元数据编目，可用于{@app}研究与决策支持。",
                             {**ctx, "org": org["name"]})
        fields = {"data_format": fmt, "data_size": size, "licence": rng.choice(V.LICENCES), "access_level": access,
                  "update_frequency": rng.choice(V.FREQUENCIES),
                  "doi": f"10.70001/jssd.{year}.{rng.randint(0, 99999):05d}" if rng.random() < 0.6 else None}
        return title, f"{name}，{fmt} 格式，{size}。", description, _tags(name[:12], discipline, fmt.split(" ")[0]), \
            discipline, fields

    def achievement(self, org, status):
        rng = self.rng
        kind = _pick(rng, {"invention_patent": 55, "utility_model": 18, "software_copyright": 15, "know_how": 12})
        disc = self.org_discipline(org) or rng.choice(V.LISTS["discipline"])
        ctx = topic(disc)
        app = rng.choice(ctx["@app"])
        words = {"app": app, "material": expand(rng, "{@material}", ctx), "method": expand(rng, "{@method}", ctx)}
        group = "software" if kind == "software_copyright" else "patent"
        name = expand(rng, rng.choice(V.ACHIEVEMENT_NAMES[group]), words)
        year = rng.randint(2015, 2025)
        if kind == "invention_patent":
            numbers = "；".join(patent_number(rng, rng.randint(year - 3, year), 1) for _ in range(rng.randint(1, 3)))
        elif kind == "utility_model":
            numbers = patent_number(rng, year, 2)
        elif kind == "software_copyright":
            numbers = f"{year}SR{rng.randint(0, 9_999_999):07d}"
        else:
            numbers = None
        trl = rng.choices(range(1, 10), weights=(1, 2, 5, 8, 9, 9, 7, 4, 2))[0]
        modes = rng.sample(["transfer", "licence", "equity", "co_development"], rng.randint(1, 3))
        price = rng.choice([None, None, rng.randint(5, 2000) * 10_000 * 100])
        state_owned = org["kind"] in ("university", "research_institute")
        title = f"{name}（{org['name']}）"
        description = expand(rng, f"{name}。" "本成果{针对|面向}{app}中{成本高|效率低|依赖进口|能耗高|一致性差}的问题，"
                                  "{通过|采用}{method}与{material}{协同设计|工艺创新|结构优化}，{关键指标达到国际先进水平|"
                                  "较现有技术成本降低 {#15-60}%|已在 {#1-12} 家企业完成验证|已完成中试}。"
                                  f"技术成熟度 TRL {trl}。", words)
        fields = {"ip_kind": kind, "patent_numbers": numbers, "trl": trl,
                  "transaction_modes": ",".join(sorted(modes, key=["transfer", "licence", "equity", "co_development"].index)),
                  "asking_price": price, "state_owned": state_owned,
                  # about half the priced ones are listed at that price (挂牌); no draw, so the stream is unchanged
                  "listing_mode": "fixed" if price is not None and len(name) % 2 else "negotiated"}
        kind_zh = RESOURCE_TYPES["achievement"].fields[0].choices[kind][0]
        price_text = f"挂牌价 {price // 100 // 10000} 万元" if price else "价格面议"
        return title, f"{kind_zh}，TRL {trl}，{price_text}，适用于{app}。", description, _tags(kind_zh, app, f"TRL{trl}"), \
            disc, fields

    def finance(self, org, status):
        rng = self.rng
        kind = {"bank": _pick(rng, {"loan": 5, "guarantee": 1}), "guarantee": "guarantee", "vc": "equity_fund",
                "insurance": "insurance"}.get(org["subtype"], "loan")
        product = expand(rng, rng.choice(V.FINANCE_PRODUCTS[kind]), {"city": org["city"], "app": rng.choice(V.LISTS["app"])})
        target = expand(rng, rng.choice(["{@app}企业专项", "科技型中小企业", "高新技术企业", "人才创业企业", "专精特新企业",
                                         "首贷户", "{@app}初创企业", "省级以上孵化器在孵企业"]))
        title = f"{product}·{target}（{org['name']}）"
        lo_hi = {"loan": (50, 3000), "guarantee": (100, 2000), "equity_fund": (300, 10000), "insurance": (100, 5000)}[kind]
        amount_min = rng.randint(lo_hi[0] // 2, lo_hi[0]) * 10_000 * 100
        amount_max = max(amount_min + 10_000 * 100, rng.randint(lo_hi[1] // 2, lo_hi[1]) * 10_000 * 100)
        terms = expand(rng, {
            "loan": "年利率 {3.10|3.45|3.65|3.85|4.20}% 起（LPR{加 0|加 10|加 30|减 10} 个基点），期限 1–{3|5} 年，{随借随还|按季付息、到期还本|分期还款}；省市科技贷款风险补偿资金池提供增信。",
            "guarantee": "担保费率不超过 {0.5|0.8|1.0}%/年，期限 1–3 年，{免抵押|知识产权质押|股权质押}，再担保分险比例 {30|40|50}%。",
            "equity_fund": "单笔投资 {500|1000|2000|3000} 万元以内，持股比例不超过 {20|25|30}%，基金存续期 {7|8|10} 年，{领投或跟投|与社会资本 1:1 配资}。",
            "insurance": "保险费率 {0.8|1.0|1.5|2.0}%，省级财政给予 {50|60|70}% 保费补贴，保险期限 1 年，{可续保|单次最高赔付额见条款}。",
        }[kind])
        elig = expand(rng, "在江苏省内注册{|并纳税}的{科技型中小企业|高新技术企业|省级以上孵化器在孵企业|拥有自主知识产权的企业}，"
                           "{入库江苏省科技型中小企业|近两年无不良信用记录|研发投入占营业收入不低于 {#3-8}%}，{@app}领域优先。")
        kind_zh = RESOURCE_TYPES["finance"].fields[0].choices[kind][0]
        description = f"{product}是{org['name']}面向{target}推出的{kind_zh}产品。\n\n{terms}\n\n申请条件：{elig}"
        fields = {"product_kind": kind, "amount_min": amount_min, "amount_max": amount_max, "rate_terms": terms,
                  "eligibility": elig}
        return title, f"{kind_zh}，额度 {amount_min // 1_000_000} 万–{amount_max // 1_000_000} 万元。", description, \
            _tags(product, kind_zh, target), "科技金融", fields

    def service(self, org, status):
        rng = self.rng
        st = org["subtype"]
        if st in ("testing", "tech_transfer", "consulting", "ip_agency"):
            kind = st if rng.random() < 0.8 else _pick(rng, {"testing": 1, "consulting": 1, "tech_transfer": 1, "ip_agency": 1})
        else:
            kind = _pick(rng, {"testing": 3, "tech_transfer": 2, "consulting": 1})
        ctx = topic(self.org_discipline(org))
        template = rng.choice(V.SERVICE_TEMPLATES[kind])
        if kind == "testing":
            template, standards = template
        name = expand(rng, template, ctx)
        if kind == "testing":
            accreditation = rng.choice(["CMA,CNAS", "CMA,CNAS", "CMA", "CNAS", None])
            std = "、".join(rng.sample(standards, rng.randint(1, 3)))
            price = expand(rng, "按检测项目收费，{单项 {#200-3000} 元起|每批次 {#800-12000} 元起}，{常规 5 个工作日出具报告|加急 48 小时出具报告}。")
            body = f"依据 {std} 等标准开展{name}，出具{'具有 ' + accreditation.replace(',', '/') + ' 资质的' if accreditation else ''}检测报告。"
        else:
            accreditation = None
            price = expand(rng, "{按项目报价|基础服务费 {#2-50} 千元起|按成交额 {#2-8}% 收取佣金|首次咨询免费}，{可分期支付|签订技术服务合同}。")
            body = expand(rng, f"提供{name}，" "团队现有{技术经理人|专利代理师|咨询师} {#3-40} 名，近三年服务企业 {#50-900} 家，"
                               "{协助完成技术合同登记 {#10-300} 项|累计促成技术交易额 {#1-50} 亿元|熟悉{@app}领域}。", ctx)
        title = f"{name}（{org['name']}）"
        kind_zh = RESOURCE_TYPES["service"].fields[0].choices[kind][0]
        fields = {"service_kind": kind, "accreditation": accreditation, "price_terms": price}
        return title, f"{kind_zh}：{name}。", body + "\n\n收费标准：" + price, _tags(kind_zh, name[:16], accreditation or ""), \
            discipline_for(name, rng), fields

    def incubator(self, org, status):
        rng = self.rng
        kind = _pick(rng, {"incubator": 4, "maker_space": 4, "accelerator": 1, "science_park": 1})
        brand = rng.choice(O.BRANDS)[0]
        name = expand(rng, rng.choice(V.INCUBATOR_NAMES[kind]), {"city": org["city"], "brand": brand, "org": org["name"]})
        area = rng.randint(1000, 20000) if kind == "maker_space" else rng.randint(10000, 300000)
        seats = rng.randint(40, 600) if kind == "maker_space" else rng.randint(100, 3000)
        services = "、".join(rng.sample(V.INCUBATOR_SERVICES, rng.randint(4, 8)))
        grade = rng.choice(["national", "provincial", "provincial", "municipal", None])
        rent = expand(rng, "{前 {#6-12} 个月免租|工位 {#300-900} 元/月|办公室 {#1-3}.{#0-9} 元/平方米·天}，{入驻需通过评审|"
                           "面向{@app}初创团队|企业注册地须在园区}，孵化期不超过 {3|4|5} 年。")
        title = f"{name}（{org['name']}）" if org["name"] not in name else name
        kind_zh = RESOURCE_TYPES["incubator"].fields[0].choices[kind][0]
        grade_zh = {"national": "国家级", "provincial": "省级", "municipal": "市级", None: ""}[grade]
        description = expand(rng, f"{name}由{org['name']}运营，{grade_zh}{kind_zh}，总面积 {area:,} 平方米、工位 {seats} 个，"
                                  "{已累计孵化企业 {#30-600} 家|在孵企业 {#20-300} 家|毕业企业中有 {#2-40} 家高新技术企业}。"
                                  f"\n\n服务内容：{services}。")
        fields = {"incubator_kind": kind, "area_m2": area, "seats": seats, "services_offered": services,
                  "rent_terms": rent, "grade": grade}
        return title, f"{grade_zh}{kind_zh}，{area:,} 平方米，{seats} 个工位。", description, \
            _tags(kind_zh, grade_zh, *services.split("、")[:2]), "创新创业", fields

    def bioresource(self, org, status):
        rng = self.rng
        owner_disc = self.org_discipline(org)
        weights = {"strain": 4, "cell_line": 3, "germplasm": 3, "sample_bank": 1, "lab_animal": 2}
        kind = _pick(rng, {k: w for k, w in weights.items() if fits_owner(owner_disc, BIO_KIND_DISCIPLINE[k])}
                     or weights)
        zh, species = rng.choice(V.BIO[kind])
        quantity = {"strain": (1, 800), "cell_line": (10, 500), "germplasm": (200, 30000),
                    "sample_bank": (1000, 500000), "lab_animal": (100, 20000)}[kind]
        quantity = rng.randint(*quantity)
        if kind == "strain":
            label = f"{zh} {species} {org['key'][:3].upper()}-{rng.randint(100, 9999)}"
            bsl = rng.choices((1, 2, 3), weights=(70, 27, 3))[0]
        elif kind == "cell_line":
            label = zh
            bsl = rng.choice((1, 2, 2))
        else:
            label = zh
            bsl = 2 if kind == "sample_bank" else 1
        title = f"{label}（{org['name']}）"
        storage = rng.choice(V.BIO_STORAGE[kind])
        supply = expand(rng, "{按份供应|按管供应|签订材料转移协议（MTA）后提供|仅限合作研究使用}，"
                             "{每份 {#200-3000} 元|科研用户优惠 {#20-50}%|运输费用由用户承担}，{需提供单位证明|需提交生物安全承诺书|提供鉴定报告}。")
        kind_zh = RESOURCE_TYPES["bioresource"].fields[0].choices[kind][0]
        unit = V.BIO_UNITS[kind]
        ctx = topic("生命科学" if kind != "germplasm" else "农学")
        if kind == "germplasm":
            ctx["@method"] = V.LISTS["breeding"]
        description = expand(rng, f"{label}，物种：{species}，保藏数量 {quantity:,} {unit}，保藏条件：{storage}。"
                                  "{经形态学与分子生物学鉴定|附完整背景信息与溯源记录|定期复壮与活性检测}，可用于{@app}与{@method}。"
                                  f"生物安全等级 BSL-{bsl}。", ctx)
        fields = {"bio_kind": kind, "species": species, "quantity": quantity, "storage": storage,
                  "biosafety_level": bsl, "supply_terms": supply}
        return title, f"{kind_zh}：{zh}，{quantity:,} {unit}。", description, _tags(kind_zh, zh, species), \
            BIO_KIND_DISCIPLINE[kind], fields


def _unique(title: str, rtype: str, seen: dict) -> str:
    """Make a title unique: a second identical instrument becomes （2号机）, other types （二）."""
    if title not in seen:
        seen[title] = 1
        return title
    count = seen[title]
    while True:
        count += 1
        if rtype == "instrument":
            new = f"{title}（{count}号机）"
        else:
            new = f"{title}（{CN_NUM[count]}）" if count <= 10 else f"{title}（{count}）"
        if new not in seen:
            break
    seen[title] = count
    seen[new] = 1
    return new


def generate_resources(n: int, seed: int, orgs: list[dict], anchor: datetime | None = None) -> Iterator[dict]:
    """Yield n resources as flat dicts, deterministic for (n-independent) seed and organisations."""
    rng = random.Random(f"resources:{seed}")
    anchor = anchor or ANCHOR
    builder = _Builder(rng, orgs)
    lab = next((o for o in orgs if o.get("demo") == "lab"), None)
    seen: dict[str, int] = {}
    types, tw = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    cities, cw = list(CITY_WEIGHTS), list(CITY_WEIGHTS.values())
    statuses, sw = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    coverage = len(TYPE_LIST) * len(CITY_LIST)
    for i in range(n):
        if i < coverage:
            rtype, city, status = TYPE_LIST[i % len(TYPE_LIST)], CITY_LIST[i // len(TYPE_LIST)], "published"
            org = builder.owner(rtype, city)
        elif lab is not None and i < coverage + DEMO_LAB_INSTRUMENTS:
            rtype, city, status, org = "instrument", lab["city"], "published", lab
        else:
            rtype = rng.choices(types, weights=tw)[0]
            city = rng.choices(cities, weights=cw)[0]
            status = rng.choices(statuses, weights=sw)[0]
            org = builder.owner(rtype, city)
        title, summary, description, tags, discipline, fields = getattr(builder, rtype)(org, status)
        created = anchor - timedelta(days=rng.randint(1, 1100), seconds=rng.randint(0, 86399))
        published = None
        if status in ("published", "offline", "archived"):
            published = min(anchor, created + timedelta(days=rng.randint(0, 14), seconds=rng.randint(0, 86399)))
        updated = max(published or created, created + timedelta(seconds=rng.randint(0, 3600)))
        contact, py = person(rng)
        row = {
            "type": rtype, "title": _unique(title[:190], rtype, seen)[:200], "summary": summary[:500],
            "description": description, "owner_org_id": org.get("id"), "owner_key": org["key"], "city": city,
            "tags": tags, "discipline": discipline[:60], "contact_name": contact,
            "contact_phone": f"{O.CITY_CODES[org['city']][1]}-{rng.randint(5000_0000, 8999_9999)}",
            "contact_email": f"{py}@{org['domain']}", "status": status,
            "reject_reason": rng.choice(REJECT_REASONS) if status == "rejected" else None,
            "created_at": created, "updated_at": updated, "published_at": published,
            "platforms": list(RESOURCE_TYPES[rtype].platforms),
        }
        row.update(fields)
        yield row
