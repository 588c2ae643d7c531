"""The words for the rules' codes (lazy: evaluated in the reader's language)."""
from flask_babel import lazy_gettext as _l

from ...core.errors import Invalid
from ..rules import RuleError

RULE_MESSAGES = {
    "uscc_missing": _l("请填写统一社会信用代码"),
    "uscc_format": _l("统一社会信用代码应为 18 位数字或大写字母"),
    "uscc_checksum": _l("统一社会信用代码校验位不正确，请核对营业执照"),
    "uscc_taken": _l("该统一社会信用代码已由其他单位凭营业执照核验；如属本单位，请联系平台"),
    "legal_rep_id": _l("法定代表人身份证号码不正确"),
    "kind": _l("不是可选的资质类型"),
    "no_identity": _l("请先填写本单位的统一社会信用代码和法定名称"),
    "in_province_number": _l("省内注册单位的编号须为本单位的统一社会信用代码"),
    "in_province_validity": _l("省内注册单位随营业执照有效，无需填写有效期"),
    "out_of_province": _l("统一社会信用代码的登记机关不在江苏省（应以 32 开头的行政区划代码登记）"),
    "number_missing": _l("请填写编号"),
    "state_owned_number": _l("国有资产产权登记证编号格式不正确（6–40 位数字或大写字母）"),
    "state_owned_validity": _l("国有企业的认定随产权登记有效，无需填写日期"),
    "sme_number": _l("入库登记编号格式不正确（以入库年份开头，如 2026320500012345）"),
    "sme_valid_until": _l("科技型中小企业入库登记仅在入库年度内有效（至当年 12 月 31 日）"),
    "high_tech_number": _l("高新技术企业证书编号格式不正确（如 GR202632001234）"),
    "high_tech_issue_year": _l("发证日期须在证书编号所示的年份"),
    "high_tech_valid_until": _l("高新技术企业证书自发证之日起三年有效，有效期与证书编号或发证日期不符"),
    "high_tech_dates": _l("请填写发证日期（或有效期至）"),
    "not_yet_valid": _l("尚未生效的资质不能申报"),
    "expired": _l("该资质已过期"),
    "duplicate": _l("本单位已有同一编号的待审核或已核验申报"),
    "number_verified_elsewhere": _l("该编号已为其他单位核验"),
    "documents_required": _l("请上传证明材料（营业执照、入库证明或证书）"),
    "reason_required": _l("请填写原因"),
}

# Why a flag applies or not (FlagStatus.code), and what to do about it.
FLAG_MESSAGES = {
    "verified": _l("已核验，有效期至 %(until)s"),
    "verified_open": _l("已核验（随营业执照有效）"),
    "from_uscc": _l("按统一社会信用代码认定为江苏省登记（营业执照可由审核员核验）"),
    "expired": _l("已于 %(until)s 过期，不再计入补贴比例"),
    "not_yet_valid": _l("尚未生效"),
    "pending": _l("已申报，等待平台审核；审核通过前按无此资质计算"),
    "rejected": _l("申报未通过：%(reason)s"),
    "revoked": _l("已被撤销：%(reason)s"),
    "uscc_changed": _l("统一社会信用代码已变更，原有核验不再有效"),
    "not_claimed": _l("未申报或未核验，按无此资质计算"),
    "no_identity": _l("尚未填写统一社会信用代码，按无此资质计算"),
    "out_of_province": _l("统一社会信用代码显示非江苏省登记"),
}
HOW_TO = {
    "in_province": _l("在“单位认证”页面上传营业执照，申报“省内注册单位”，审核员核验后生效。"),
    "sme": _l("在“单位认证”页面填写本年度科技型中小企业入库登记编号并上传入库证明，审核员核验后生效。"),
    "high_tech": _l("在“单位认证”页面填写高新技术企业证书编号和发证日期并上传证书，审核员核验后生效。"),
    "state_owned": _l("在“单位认证”页面填写国有资产产权登记证编号并上传登记证，审核员核验后生效。"),
}

RELATION_MESSAGES = {
    "same_organisation": _l("本单位内部使用"),
    "parent": _l("一方是另一方的上级单位"),
    "same_parent": _l("双方隶属同一上级单位"),
    "uscc_root": _l("双方统一社会信用代码的主体标识码（第 9–17 位）相同"),
    "legal_rep": _l("双方法定代表人相同，或一方的法定代表人是另一方的成员"),
    "investor": _l("一方申报了另一方（或其法定代表人）为出资人或创办人"),
    "shared_member": _l("同一人（同一手机号或邮箱）是双方的成员"),
}


def invalid(err: RuleError) -> Invalid:
    """A rule's refusal as a 422 on its field."""
    return Invalid.field(err.field, str(RULE_MESSAGES.get(err.code, err.code)))


def invalid_code(code: str, field: str) -> Invalid:
    return Invalid.field(field, str(RULE_MESSAGES[code]))
