"""An issued invoice's record as a PDF (when finance uploaded none): fpdf2 in the shared Chinese font."""
from flask_babel import gettext as _

from ...core.money import format_fen
from ...core.pdffont import add_cjk_font
from ..states import INVOICE_KINDS


def invoice_pdf(inv, seller_name: str) -> bytes:
    from fpdf import FPDF

    title = _(INVOICE_KINDS[inv.kind])
    rows = [
        (_("发票号码"), inv.number), (_("开票日期"), inv.issued_on.isoformat()),
        (_("购买方"), inv.title), (_("纳税人识别号"), inv.tax_number),
        (_("地址、电话"), inv.address_phone or "—"), (_("开户行及账号"), inv.bank_account or "—"),
        (_("销售方"), seller_name), (_("价税合计"), format_fen(inv.amount)),
    ]
    if inv.status == "reversed":
        rows.append((_("红字发票"), f"{inv.red_number} {inv.red_issued_on}"))
    pdf = FPDF(format="A4")
    pdf.set_title(f"{title} {inv.number}")
    add_cjk_font(pdf, title + "".join(f"{k}{v}" for k, v in rows))  # Unavailable when no font is installed
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    for label, value in rows:
        pdf.cell(45, 9, label)
        pdf.multi_cell(0, 9, str(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
