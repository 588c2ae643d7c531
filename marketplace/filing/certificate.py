"""The printable filing certificate: a PDF (fpdf2) in a CJK font with a QR code to the verify page.

The font is found at run time: config FILING_CERT_FONT ("path" or "path:index" of a TTF/OTF/TTC), else
fontconfig's match for "Noto Sans CJK SC" (Debian/Ubuntu: apt install fonts-noto-cjk)."""
import io
import logging
import os
import subprocess
from functools import lru_cache

import qrcode
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF

from ..core.errors import Unavailable
from ..core.timeutil import to_local

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

LEVEL_ZH = {"junior": "初级", "intermediate": "中级", "senior": "高级"}


@lru_cache(maxsize=4)
def _match_font(family: str) -> tuple[str, int] | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", family], capture_output=True, text=True,
                             timeout=10, check=True).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    if not out or not out[0] or not os.path.exists(out[0]):
        return None
    return out[0], int(out[1] or 0) if len(out) > 1 and out[1].isdigit() else 0


def cjk_font() -> tuple[str, int]:
    """(path, face index) of a font with Chinese glyphs, or Unavailable with a clear message."""
    configured = current_app.config.get("FILING_CERT_FONT")
    if configured:
        path, _sep, index = configured.partition(":") if not os.path.exists(configured) else (configured, "", "0")
        if os.path.exists(path):
            return path, int(index or 0)
    found = _match_font("Noto Sans CJK SC")
    if found is None or "cjk" not in found[0].lower() and not configured:
        raise Unavailable(_("找不到中文字体：请安装 fonts-noto-cjk 或设置 FILING_CERT_FONT"))
    return found


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
    path, index = cjk_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"技术经理人事务所备案证明 {firm.number}")
    pdf.add_font("cjk", fname=path, collection_font_number=index)
    pdf.add_page()
    pdf.set_draw_color(160, 30, 30)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, 186, 273)
    pdf.set_font("cjk", size=26)
    pdf.set_y(36)
    pdf.cell(0, 14, "技术经理人事务所备案证明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=14)
    pdf.cell(0, 10, firm.number or "", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    rows = [("事务所名称", firm.name), ("统一社会信用代码", firm.uscc), ("法定代表人", firm.legal_rep),
            ("注册城市", firm.city or ""), ("办公地址", firm.address),
            ("备案日期", to_local(firm.approved_at).strftime("%Y年%m月%d日") if firm.approved_at else "")]
    pdf.set_font("cjk", size=12)
    for label, value in rows:
        pdf.set_x(28)
        pdf.cell(45, 9, label)
        pdf.multi_cell(120, 9, value or "", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_x(28)
    pdf.cell(0, 9, "技术经理人", new_x="LMARGIN", new_y="NEXT")
    for m in firm.managers:
        pdf.set_x(36)
        pdf.cell(0, 8, f"{m.name}　{LEVEL_ZH.get(m.level, '')}　证书编号 {m.certificate_no}",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(qr_png(verify_url)), x=150, y=228, w=36, h=36)
    pdf.set_xy(28, 236)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(115, 6, "扫描二维码或访问以下网址核验本证明：\n" + verify_url)
    pdf.set_xy(28, 258)
    pdf.cell(0, 8, "江苏省科技资源统筹服务中心")
    return bytes(pdf.output())
