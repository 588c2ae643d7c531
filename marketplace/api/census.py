"""The open census data, the evaluation, self-reports and applying grades, over the census services."""
from ..census.schemas import (
    CensusOut,
    CensusQuery,
    EvaluationOut,
    EvaluationQuery,
    GradesIn,
    GradesOut,
    SelfReportIn,
    SelfReportList,
    SelfReportOut,
    SelfReportQuery,
)
from ..census.services import evaluation, report, selfreports
from ..core.permissions import require_login
from .common import api_actor
from .spec import endpoint


@endpoint("/census", query=CensusQuery, answer=CensusOut, errors=(422,), tags=["census"])
def census_rows(query: CensusQuery):
    """Open data: the census of a year grouped by city, type (instrument category), org or instrument."""
    return CensusOut(year=query.year, group_by=query.group_by,
                     rows=report.rows_with_self_reports(query.year, query.group_by))


@endpoint("/census/evaluation", query=EvaluationQuery, answer=EvaluationOut, errors=(422,), tags=["census"])
def census_evaluation(query: EvaluationQuery):
    """The open-sharing evaluation of managing units: score out of 100 and grade."""
    return EvaluationOut(year=query.year, rows=evaluation.evaluate(query.year))


@endpoint("/census/self-reports", query=SelfReportQuery, answer=SelfReportList, errors=(401, 403, 422),
          tags=["census"])
def census_self_reports(query: SelfReportQuery):
    """Self-reported figures of use off the platform: reviewers see all, a provider its own."""
    rows = selfreports.list_self_reports(actor=require_login(api_actor()), year=query.year, org_id=query.org,
                                         instrument_id=query.instrument)
    return SelfReportList(items=[SelfReportOut.model_validate(r) for r in rows])


@endpoint("/census/self-reports", "POST", body=SelfReportIn, answer=SelfReportOut, status=201,
          errors=(401, 403, 404, 422), tags=["census"])
def census_save_self_report(json: SelfReportIn):
    """A provider enters (or replaces) an instrument's figures for a year."""
    actor = require_login(api_actor())
    inst = selfreports.get_instrument(json.instrument_id)
    row = selfreports.save_self_report(inst, actor=actor, year=json.year, hours=json.hours,
                                       external_hours=json.external_hours, orgs_served=json.orgs_served,
                                       income=json.income, note=json.note)
    return SelfReportOut.model_validate(row), 201


@endpoint("/census/apply-grades", "POST", body=GradesIn, answer=GradesOut, errors=(401, 403, 404, 422),
          tags=["census"])
def census_apply_grades(json: GradesIn):
    """Finance sets a programme's provider grades from the evaluation (优秀 A, 良好 B, 合格 C, 较差 D)."""
    actor = require_login(api_actor())
    prog = evaluation.get_programme(json.programme_id)
    return GradesOut(**evaluation.apply_grades(prog, actor=actor, year=json.year))
