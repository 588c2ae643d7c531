"""The registration certificate (登记证明) as a PDF: fpdf2 with a CJK font found at run time (fontconfig),
and a QR code (qrcode) pointing at the public verify page."""
import functools
import io
import logging
import shutil
import subprocess

from flask import current_app, url_for
from flask_babel import gettext as _

from ...core.errors import Conflict, Unavailable
from ...core.money import format_fen
from ..reference import CONTRACT_TYPES, NATURES, SUBTYPES, TECH_FIELDS, label
from ..rules import city_code_name, vat_exempt

# fontTools logs every glyph of the subset at INFO: keep the app log readable.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")


@functools.lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int]:
    """(file, index in a collection) of a Simplified-Chinese font, from config or fontconfig."""
    configured = current_app.config.get("REGISTRATION_CJK_FONT")
    if configured:
        path, _sep, index = str(configured).partition(":")
        return path, int(index or 0)
    if shutil.which("fc-match"):
        for family in FONT_FAMILIES:
            out = subprocess.run(["fc-match", "-f", "%{file}:%{index}:%{family}", f"{family}:lang=zh-cn"],
                                 capture_output=True, text=True, timeout=10).stdout
            path, _sep, rest = out.partition(":")
            index, _sep, found = rest.partition(":")
            if path and family.split()[0].lower() in found.lower() and path.endswith((".ttf", ".otf", ".ttc")):
                return path, int(index or 0)
    raise RuntimeError("no CJK font found: install fonts-noto-cjk or set REGISTRATION_CJK_FONT=/path/font.ttc:index")


def _qr_png(url: str) -> io.BytesIO:
    import qrcode
    img = qrcode.make(url, box_size=6, border=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return buf


def verify_url(number: str) -> str:
    return url_for("registration.verify", number=number, _external=True)


def issued_certificate(reg) -> bytes:
    """certificate_pdf(reg), made once per state and language and kept in the file store (every host
    serves the same copy; the CJK font subset costs a render hundreds of milliseconds)."""
    from flask_babel import get_locale

    from ...core.storage import kept_copy
    if not reg.number:
        raise Conflict(_("该申请尚未登记，没有登记证明"))
    fingerprint = ("registration", reg.id, reg.number, reg.status, reg.updated_at, str(get_locale()),
                   verify_url(reg.number))
    return kept_copy("certificates", fingerprint, lambda: certificate_pdf(reg))


def certificate_pdf(reg) -> bytes:
    """The certificate of a registered (or since cancelled) contract, in its latest state."""
    from fpdf import FPDF

    if not reg.number:
        raise Conflict(_("该申请尚未登记，没有登记证明"))
    try:
        path, index = cjk_font()
    except RuntimeError as err:
        current_app.logger.error("%s", err)
        raise Unavailable(_("缺少中文字体，暂时无法生成登记证明")) from None
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('技术合同登记证明')} {reg.number}")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(0, 14, _("技术合同认定登记证明"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, _("登记编号：%(number)s", number=reg.number), align="C", new_x="LMARGIN", new_y="NEXT")
    if reg.status == "cancelled":
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 8, _("本合同登记已注销"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    ctype = label(CONTRACT_TYPES, reg.contract_type)
    if reg.subtype:
        ctype += f"（{label(SUBTYPES.get(reg.contract_type, {}), reg.subtype)}）"
    rows = [
        (_("项目名称"), reg.project_name),
        (_("合同类型"), ctype),
        (_("技术领域"), label(TECH_FIELDS, reg.tech_field)),
        (_("卖方（受托方）"), _party(reg, "seller")),
        (_("买方（委托方）"), _party(reg, "buyer")),
        (_("签订日期"), reg.signed_on.isoformat()),
        (_("有效期至"), reg.valid_until.isoformat()),
        (_("合同成交额"), format_fen(reg.total_amount)),
        (_("技术交易额"), format_fen(reg.tech_amount)),
        (_("登记日期"), reg.registered_on.isoformat() if reg.registered_on else ""),
        (_("增值税免税"), _("符合技术开发、技术转让免征增值税条件") if vat_exempt(reg.contract_type)
         else _("不属于免征增值税的合同类型")),
    ]
    if reg.amended_at:
        rows.append((_("变更"), _("本证明反映最近一次变更登记后的内容")))
    for key, value in rows:
        pdf.set_font("cjk", size=11)
        y = pdf.get_y()
        pdf.multi_cell(40, 8, key, border=1, new_x="RIGHT", new_y="TOP")
        pdf.multi_cell(0, 8, value, border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 8))
    pdf.ln(6)
    url = verify_url(reg.number)
    top = pdf.get_y()
    pdf.image(_qr_png(url), x=pdf.l_margin, y=top, w=36, h=36)
    pdf.set_xy(pdf.l_margin + 42, top + 4)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, _("扫描二维码或访问以下网址核验本证明：") + "\n" + url)
    return bytes(pdf.output())


def _party(reg, side: str) -> str:
    p = reg.party(side)
    city = city_code_name(p["city_code"]) or p["city_code"]
    return f"{p['name']}\n{_('统一社会信用代码')}：{p['uscc']}\n{city} · {label(NATURES, p['nature'])}"
