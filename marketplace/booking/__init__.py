"""Large-instrument booking (大型仪器开放共享): availability, bookings, usage, ratings, ICS."""


def init_app(app):
    from ..core import history as audit_words
    from . import models  # noqa: F401  (registers the tables)
    from .states import STATUSES as BOOKING_STATUSES
    audit_words.add_states("booking", BOOKING_STATUSES)
    from . import workbench as work_queues
    from .cli import booking_cli
    from .routes import bp
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(booking_cli)
    from flask_babel import lazy_gettext as _l

    from ..catalog.nav import approves_bookings
    from ..core import nav
    from .services import count_to_pay
    nav.add_link(_l("我的预约"), "booking.my_bookings", nav.org_member, priority=10)
    nav.add_link(_l("预约审批"), "booking.queue", approves_bookings, priority=10)
    nav.add_link(_l("上机培训"), "booking.training_list", nav.org_member, priority=11)
    nav.set_badge("booking.my_bookings", count_to_pay)  # what the user's organisation has to pay
    from .states import status_label
    app.jinja_env.globals["booking_status_label"] = status_label  # macros imported without context see it
    from .states import DOWNTIME_KINDS, SEVERITIES
    app.jinja_env.globals.update(downtime_kinds=DOWNTIME_KINDS, severities=SEVERITIES)
    from .services import takes_bookings
    app.jinja_env.globals["booking_takes_bookings"] = takes_bookings  # the one "bookable online" answer
    from ..catalog.types import BOOKABLE_TYPES
    app.jinja_env.globals["booking_types"] = BOOKABLE_TYPES  # the catalog page shows these a booking panel

    @app.context_processor
    def _booking_helpers():
        def instrument_panel(inst):
            """Data for the booking panel on the catalog's instrument page (the summary and the panel both
            ask: computed once per request)."""
            from flask import g
            from flask_login import current_user

            from . import services
            panels = g.setdefault("booking_instrument_panels", {})
            if inst.id in panels:
                return panels[inst.id]
            avg, count = services.rating_summary(instrument_id=inst.id)
            org_avg, org_count = services.rating_summary(provider_org_id=inst.owner_org_id)
            user = current_user if current_user.is_authenticated else None
            self_operated = services.needs_qualification(inst)
            qual = services.qualification_of(inst.id, user.id) if user is not None and self_operated else None
            panels[inst.id] = {
                "self_operated": self_operated, "qualification": qual,
                "downtime": services.current_downtime(inst.id),
                # the one answer to "can it be booked online" (the bookable flag alone is not it)
                "bookable_online": services.takes_bookings(inst),
                "offline_reason": services.offline_reason(inst),
                "training_pending": (services.open_request(inst.id, user.id)
                                     if user is not None and self_operated else None),
                "assisted": self_operated and inst.price_unit == "hour",
                "org_rating_avg": org_avg, "org_rating_count": org_count,
                "calendar": services.week_calendar(inst) if services.takes_bookings(inst) else None,
                "rating_avg": avg, "rating_count": count,
                "is_provider": services.is_provider_member(inst.owner_org_id, actor=user),
                "qualified": user is not None and services.may_self_operate(inst, user),
            }
            return panels[inst.id]
        def org_rating(org_id):
            """(average, count) of the ratings of an organisation's instrument services."""
            from . import services
            return services.rating_summary(provider_org_id=org_id)

        return {"booking_instrument_panel": instrument_panel, "booking_org_rating": org_rating}
