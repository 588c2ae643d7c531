"""Large-instrument booking (大型仪器开放共享): availability, bookings, usage, ratings, ICS."""


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)
