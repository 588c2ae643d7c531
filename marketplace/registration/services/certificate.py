"""The registration certificate (登记证明) as a PDF: fpdf2 with the Chinese font of core.pdffont (a real
text layer), the parties named as the contract type names them, the issuing body (and its seal, when
configured), and a QR code and a short typeable address of the public verify page."""
import io
import os

from flask import current_app, url_for
from flask_babel import gettext as _

from ...core.errors import Conflict
from ...core.money import format_fen
from ...core.pdffont import add_cjk_font
from ..reference import CONTRACT_TYPES, NATURES, SUBTYPES, TECH_FIELDS, label
from ..rules import city_code_name, vat_exempt


def party_labels(contract_type: str, subtype: str | None = None) -> tuple[str, str]:
    """(seller side, buyer side) as the contract type names its parties."""
    if contract_type == "transfer":
        return _("让与方"), _("受让方")
    if contract_type == "licence":
        return _("许可方"), _("被许可方")
    if contract_type == "development" and subtype == "cooperative":
        return _("合作方（卖方）"), _("合作方（买方）")
    return _("受托方"), _("委托方")  # development (commissioned), consulting, service


def _qr_png(url: str) -> io.BytesIO:
    import qrcode
    img = qrcode.make(url, box_size=6, border=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    return buf


def verify_url(number: str, code: str | None = None) -> str:
    """The public verify page of a number; with the check code, the page shows the facts at once."""
    return url_for("registration.verify", number=number, _external=True, **({"code": code} if code else {}))


def issued_certificate(reg) -> bytes:
    """certificate_pdf(reg), made once per state and language and kept in the file store (every host
    serves the same copy; the CJK font subset costs a render hundreds of milliseconds)."""
    from flask_babel import get_locale

    from ...core.storage import kept_copy
    if not reg.number:
        raise Conflict(_("该申请尚未登记，没有登记证明"))
    fingerprint = ("registration", reg.id, reg.number, reg.status, reg.updated_at, str(get_locale()),
                   verify_url(reg.number, reg.check_code))
    return kept_copy("certificates", fingerprint, lambda: certificate_pdf(reg))


def certificate_pdf(reg) -> bytes:
    """The certificate of a registered (or since cancelled) contract, in its latest state."""
    from fpdf import FPDF

    if not reg.number:
        raise Conflict(_("该申请尚未登记，没有登记证明"))
    ctype = label(CONTRACT_TYPES, reg.contract_type)
    if reg.subtype:
        ctype += f"（{label(SUBTYPES.get(reg.contract_type, {}), reg.subtype)}）"
    seller_label, buyer_label = party_labels(reg.contract_type, reg.subtype)
    rows = [
        (_("项目名称"), reg.project_name),
        (_("合同类型"), ctype),
        (_("技术领域"), label(TECH_FIELDS, reg.tech_field)),
        (_("卖方（%(role)s）", role=seller_label), _party(reg, "seller")),
        (_("买方（%(role)s）", role=buyer_label), _party(reg, "buyer")),
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
    title, number_line = _("技术合同认定登记证明"), _("登记编号：%(number)s", number=reg.number)
    cancelled, issuer = _("本合同登记已注销"), current_app.config["REGISTRATION_ISSUER"]
    # The QR code carries the check code; the typeable address asks for it (printed beside the number).
    code_line = _("校验码：%(code)s", code=reg.check_code or "")
    url, prompt = verify_url(reg.number), _("扫描二维码或访问以下网址，输入校验码核验本证明：")
    qr_url = verify_url(reg.number, reg.check_code)
    pdf = FPDF(format="A4")
    pdf.set_title(f"{title} {reg.number}")
    add_cjk_font(pdf, "".join([title, number_line, code_line, cancelled, issuer, prompt, url,
                               *(k + v for k, v in rows)]))
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, number_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, code_line, align="C", new_x="LMARGIN", new_y="NEXT")
    if reg.status == "cancelled":
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 8, cancelled, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    for key, value in rows:
        pdf.set_font("cjk", size=11)
        y = pdf.get_y()
        pdf.multi_cell(40, 8, key, border=1, new_x="RIGHT", new_y="TOP")
        pdf.multi_cell(0, 8, value, border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 8))
    pdf.ln(6)
    top = pdf.get_y()
    pdf.image(_qr_png(qr_url), x=pdf.l_margin, y=top, w=36, h=36)
    pdf.set_xy(pdf.l_margin + 42, top + 4)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, prompt + "\n" + url + "\n" + code_line)
    issue_seal(pdf, issuer, top + 40, reg.registered_on)
    return bytes(pdf.output())


def issue_seal(pdf, issuer: str, top: float, day):
    """The issuing body and date at the bottom right, over its seal image when one is configured."""
    seal = current_app.config.get("CERTIFICATE_SEAL")
    x = pdf.w - pdf.r_margin - 62
    if seal and os.path.exists(seal):
        pdf.image(seal, x=x + 14, y=top - 4, w=36, h=36)
    pdf.set_xy(x, top + 12)
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(62, 7, issuer + ("\n" + day.isoformat() if day else ""), align="C")


def _party(reg, side: str) -> str:
    p = reg.party(side)
    city = city_code_name(p["city_code"]) or p["city_code"]
    return f"{p['name']}\n{_('统一社会信用代码')}：{p['uscc']}\n{city} · {label(NATURES, p['nature'])}"
