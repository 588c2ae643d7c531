"""Partner platforms we harvest, the records harvested from them, and each harvest's report."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import N_
from ..core.reference import sql_in
from ..core.timeutil import utcnow
from ..extensions import db

# Where a partner is; the search page's `origin` facet names ours 本平台 and these by region.
REGIONS = {"shanghai": N_("上海"), "zhejiang": N_("浙江"), "anhui": N_("安徽"), "national": N_("国家平台"),
           "other": N_("其他平台")}
SCHEDULES = {"hourly": 3600, "daily": 86_400, "weekly": 7 * 86_400}  # seconds between harvests
REPORT_STATUSES = ("running", "ok", "failed")


class Partner(db.Model):
    __tablename__ = "federation_partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    region: Mapped[str] = mapped_column(sa.String(20))
    base_url: Mapped[str] = mapped_column(sa.String(500))
    metadata_prefix: Mapped[str] = mapped_column(sa.String(40), default="jsst_core")
    schedule: Mapped[str] = mapped_column(sa.String(20), default="daily")
    enabled: Mapped[bool] = mapped_column(default=True)
    # The partner's own responseDate at the start of the last complete harvest: the next one asks
    # for records from there (its clock, not ours).
    harvested_from: Mapped[datetime | None]
    last_harvest_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(f"region IN {sql_in(REGIONS)}", name="region"),
        sa.CheckConstraint(f"schedule IN {sql_in(SCHEDULES)}", name="schedule"),
    )

    def __repr__(self):
        return f"<Partner {self.id} {self.name}>"


class PartnerRecord(db.Model):
    """One record of a partner's catalogue as we last harvested it (text cleaned and cut)."""
    __tablename__ = "federation_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("federation_partners.id", ondelete="CASCADE"))
    identifier: Mapped[str] = mapped_column(sa.String(200))
    datestamp: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(default=False)
    type: Mapped[str | None] = mapped_column(sa.String(20))   # one of our ten types when it names one
    type_label: Mapped[str] = mapped_column(sa.String(60), default="")
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    provider: Mapped[str] = mapped_column(sa.String(200), default="")
    location: Mapped[str] = mapped_column(sa.String(100), default="")
    keywords: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    harvested_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner = relationship(Partner, lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("partner_id", "identifier", name="uq_federation_records_partner_identifier"),
        sa.Index("ix_federation_records_deleted", "deleted"),
    )

    def __repr__(self):
        return f"<PartnerRecord {self.id} {self.identifier}>"


class HarvestReport(db.Model):
    """What one harvest of one partner did: counts, and why records were skipped."""
    __tablename__ = "federation_harvests"
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("federation_partners.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="running")
    pages: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{identifier, reason}], the first 100
    error: Mapped[str | None] = mapped_column(sa.String(500))

    partner = relationship(Partner)

    __table_args__ = (sa.CheckConstraint(f"status IN {sql_in(REPORT_STATUSES)}", name="status"),)
