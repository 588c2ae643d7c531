"""Set English translations in the catalog: `python scripts/po_set.py < pairs.tsv` (msgid<TAB>msgstr a line,
or msgctxt<TAB>msgid<TAB>msgstr for an entry with a context, marked `NC_(context, text)` in the code).

Then compile with `make translations` (or `pybabel compile -d marketplace/translations`).
`python scripts/po_set.py --missing` lists the msgids that still have no translation.
"""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "marketplace/translations/en/LC_MESSAGES/messages.po"


def main():
    with open(PO, "rb") as f:
        catalog = read_po(f, locale="en")
    if "--missing" in sys.argv:
        for message in catalog:
            if message.id and not message.string:
                print(f"{message.context}\t{message.id}" if message.context else message.id)
        return
    changed = 0
    for line in sys.stdin:
        if "\t" not in line:
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) == 3:
            context, msgid, msgstr = fields
        else:
            context, (msgid, msgstr) = None, line.rstrip("\n").split("\t", 1)
        message = catalog.get(msgid, context=context)
        if message is None:
            print(f"not in the catalog (run make translations first): {msgid}", file=sys.stderr)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
        changed += 1
    with open(PO, "wb") as f:
        write_po(f, catalog, width=100, sort_by_file=True, ignore_obsolete=True)
    print(f"{changed} translations set")


if __name__ == "__main__":
    main()
