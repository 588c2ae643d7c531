"""Bank statement files written as the banks write them (for the tests)."""
import csv
import io
from datetime import date


def csv_statement(rows, encoding="gb18030") -> bytes:
    """A Chinese online bank's CSV export: heading lines, the column row, credits and debits, a total."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerows([["中国银行对公账户交易明细"], ["账号：320101880000006123456", "户名：江苏省科技资源统筹服务中心"], [],
                 ["交易日期", "交易流水号", "对方户名", "对方账号", "收入金额", "支出金额", "余额", "摘要", "附言"]])
    for day, txid, name, account, amount, remark in rows:
        w.writerow([f"{day:%Y-%m-%d}", txid, name, account, amount, "", "1,000,000.00", "转账", remark])
    w.writerow(["2027-01-05", "OUT0001", "某供应商", "6222000011112222", "", "500.00", "999,500.00", "付款", "货款"])
    w.writerow(["合计", "", "", "", f"{len(rows)}笔", "", "", "", ""])
    return buf.getvalue().encode(encoding)


def camt053(entries, version="08") -> bytes:
    """An ISO 20022 camt.053 statement with one booked credit entry per (day, ref, name, account, yuan, remark)."""
    ntry = []
    for day, ref, name, account, amount, remark in entries:
        party = f"<Pty><Nm>{name}</Nm></Pty>" if version >= "08" else f"<Nm>{name}</Nm>"
        ntry.append(f"""
      <Ntry>
        <Amt Ccy="CNY">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{day:%Y-%m-%d}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>TRF</Cd></Prtry></BkTxCd>
        <NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
          <RltdPties><Dbtr>{party}</Dbtr><DbtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></DbtrAcct></RltdPties>
          <RmtInf><Ustrd>{remark}</Ustrd></RmtInf></TxDtls></NtryDtls>
      </Ntry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-20270105</MsgId><CreDtTm>2027-01-05T18:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-20270105-1</Id>
      <Acct><Id><Othr><Id>320101880000006123456</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
      <Ntry>
        <Amt Ccy="CNY">500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2027-01-05</Dt></BookgDt><AcctSvcrRef>OUT-1</AcctSvcrRef>
      </Ntry>{''.join(ntry)}
    </Stmt>
  </BkToCstmrStmt>
</Document>""".encode()


D = date(2027, 1, 5)
