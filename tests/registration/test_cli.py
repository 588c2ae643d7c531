"""`flask registration overdue` and `flask registration stats`."""
from datetime import date

from marketplace.extensions import db
from marketplace.registration.models import ContractRegistration
from tests.registration.conftest import approve


def test_overdue_and_stats_commands(app, runner, client, headers, create, tmp_path):
    late, fresh = create(), create(project_name="=cmd|' /C calc'!A0")
    for reg in (late, fresh):
        client.post(f"/api/v1/contract-registrations/{reg['id']}/submit", json={}, headers=headers["seller"])
    row = db.session.get(ContractRegistration, late["id"])
    row.submitted_on, row.due_on = date(2026, 1, 5), date(2026, 1, 26)
    db.session.commit()
    result = runner.invoke(args=["registration", "overdue"])
    assert result.exit_code == 0 and f"#{late['id']}\t2026-01-26" in result.output and "1 overdue" in result.output

    approved = approve(client, headers, fresh["id"]).get_json()
    year = date.fromisoformat(approved["registered_on"]).year
    result = runner.invoke(args=["registration", "stats", "--year", str(year), "--group-by", "city"])
    assert result.exit_code == 0 and "3201,3201 南京,1,120000000,100000000" in result.output
    out = tmp_path / "stats.xlsx"
    result = runner.invoke(args=["registration", "stats", "--year", str(year), "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    assert runner.invoke(args=["registration", "stats", "--year", str(year), "--format", "xlsx"]).exit_code != 0
