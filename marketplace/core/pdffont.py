"""The Chinese font of the printed certificates (fpdf2), one setting for all of them: `PDF_FONT`
("path" or "path:index" of a TTF/OTF/TTC; the environment variable of the same name), else the first
Simplified-Chinese face fontconfig finds (Debian/Ubuntu: `apt install fonts-noto-cjk`).

Why the font is rebuilt for each document: the CJK fonts Linux ships (Noto/Source Han) are CID-keyed
CFF, which fpdf2 embeds with an encoding CMap that text extractors do not read (pdfplumber finds no
characters, pypdf a NUL before each glyph). The face is cut to the characters the document uses and its
outlines converted to TrueType (fontTools), which fpdf2 embeds as Identity-H with a ToUnicode map: the
text layer then reads back exactly. A certificate uses a few hundred glyphs: about a second.

No font, or a broken one: the admin log says what to install; the user is told that the certificate
cannot be made right now and that the administrator knows (`Unavailable`).
"""
import functools
import io
import logging
import os
import shutil
import subprocess
import tempfile

from flask import current_app
from flask_babel import gettext as _

from .errors import Unavailable

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "AR PL UMing CN")
LEGACY_SETTINGS = ("REGISTRATION_CJK_FONT", "FILING_CERT_FONT")  # the two older names, still honoured


def _parse(setting: str) -> tuple[str, int]:
    if os.path.exists(setting):
        return setting, 0
    path, _sep, index = setting.rpartition(":")
    return path, int(index) if index.isdigit() else 0


@functools.lru_cache(maxsize=8)
def _fontconfig(family: str) -> tuple[str, int] | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family}", f"{family}:lang=zh-cn"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, index, found = (out.split("\t") + ["", "", ""])[:3]
    if path and os.path.exists(path) and family.split()[0].lower() in found.lower():
        return path, int(index) if index.isdigit() else 0
    return None


def font_source() -> tuple[str, int]:
    """(file, face index) of the configured or found Chinese font; RuntimeError naming the fix."""
    config = current_app.config
    setting = config.get("PDF_FONT") or os.environ.get("PDF_FONT") or next(
        (config.get(name) for name in LEGACY_SETTINGS if config.get(name)), None)
    if setting:
        path, index = _parse(str(setting))
        if not os.path.exists(path):
            raise RuntimeError(f"PDF_FONT={setting}: no such file")
        return path, index
    for family in FAMILIES:
        found = _fontconfig(family)
        if found:
            return found
    raise RuntimeError("no Chinese font for the certificates: install fonts-noto-cjk "
                       "(apt install fonts-noto-cjk) or set PDF_FONT=/path/to/font.ttc:index")


def _to_truetype(font):
    """Convert a (subset) CFF-outline font to TrueType outlines in place (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion, maxp.maxZones = 0x00010000, 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours",
                  "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"


def font_for(text: str) -> bytes:
    """A TrueType font holding the glyphs of `text` (and printable ASCII), from the configured face."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path, index = font_source()
    font = TTFont(path, fontNumber=index, lazy=True)
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    options.glyph_names, options.desubroutinize = True, True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))) + "".join(chr(c) for c in range(32, 127)))
    subsetter.subset(font)
    if "CFF " in font or "CFF2" in font:
        _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def add_cjk_font(pdf, text: str, family: str = "cjk"):
    """Give `pdf` the Chinese font as `family`, able to draw every character of `text`; else
    Unavailable (the admin log says why)."""
    try:
        data = font_for(text)
    except Exception as err:  # a missing package, a bad path or an unreadable file: the admin's to fix
        current_app.logger.error("certificate font: %s", err)
        raise Unavailable(_("暂时无法生成，已通知管理员")) from None
    # fpdf2 reads fonts from files: a private temporary one, gone when the font is loaded
    with tempfile.NamedTemporaryFile(suffix=".ttf") as tmp:
        tmp.write(data)
        tmp.flush()
        pdf.add_font(family, "", tmp.name)
