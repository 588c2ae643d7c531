"""The printable filing certificate: a PDF (fpdf2) in the Chinese font of core.pdffont (a real text
layer), naming its issuing body (with its seal when CERTIFICATE_SEAL is set), with a QR code and a short
typeable address of the verify page (…/firms/verify/2026-0001)."""
import io
import os

import qrcode
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF

from ..core.pdffont import add_cjk_font
from ..core.timeutil import to_local
from .states import LEVELS


def qr_png(url: str) -> bytes:
    img = qrcode.make(url, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def issued_certificate(firm, verify_url: str) -> bytes:
    """certificate_pdf, made once per state of the firm and kept in the file store (core.storage):
    every host serves the same copy."""
    from ..core.storage import kept_copy
    fingerprint = ("filing", firm.id, firm.number, firm.status, firm.updated_at, firm.approved_at, firm.name,
                   [(m.name, m.level, m.certificate_no) for m in firm.managers], verify_url)
    return kept_copy("certificates", fingerprint, lambda: certificate_pdf(firm, verify_url))


def certificate_pdf(firm, verify_url: str) -> bytes:
    title = _("技术经理人事务所备案证明")
    rows = [(_("事务所名称"), firm.name), (_("统一社会信用代码"), firm.uscc), (_("法定代表人"), firm.legal_rep),
            (_("注册城市"), firm.city or ""), (_("办公地址"), firm.address),
            (_("备案日期"), to_local(firm.approved_at).strftime("%Y-%m-%d") if firm.approved_at else "")]
    managers = [_("%(name)s　%(level)s　证书编号 %(no)s", name=m.name, level=str(LEVELS.get(m.level, "")),
                  no=m.certificate_no) for m in firm.managers if m.active]
    issuer, prompt = current_app.config["FILING_ISSUER"], _("扫描二维码或访问以下网址核验本证明：")
    heading = _("技术经理人")
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{title} {firm.number}")
    add_cjk_font(pdf, "".join([title, firm.number or "", issuer, prompt, verify_url, heading, *managers,
                               *(k + (v or "") for k, v in rows)]))
    pdf.add_page()
    pdf.set_draw_color(160, 30, 30)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, 186, 273)
    pdf.set_font("cjk", size=26)
    pdf.set_y(36)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=14)
    pdf.cell(0, 10, firm.number or "", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("cjk", size=12)
    for label, value in rows:
        pdf.set_x(28)
        pdf.cell(45, 9, label)
        pdf.multi_cell(120, 9, value or "", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_x(28)
    pdf.cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
    for line in managers:
        pdf.set_x(36)
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png(verify_url)), x=28, y=228, w=36, h=36)
    pdf.set_xy(68, 232)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(70, 6, prompt + "\n" + verify_url)
    seal = current_app.config.get("CERTIFICATE_SEAL")
    if seal and os.path.exists(seal):
        pdf.image(seal, x=152, y=222, w=36, h=36)
    pdf.set_xy(138, 236)
    pdf.set_font("cjk", size=11)
    day = to_local(firm.approved_at).strftime("%Y-%m-%d") if firm.approved_at else ""
    pdf.multi_cell(56, 7, f"{issuer}\n{day}", align="C")
    return bytes(pdf.output())
