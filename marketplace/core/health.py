"""Request ids and the probes: /healthz (the process answers) and /readyz (it can do its work).

Every response carries `X-Request-ID`: the caller's, when it sent a sane one (a proxy's id follows the
request through), else a new one. gunicorn's access log prints it (deploy/gunicorn.conf.py) and
`g.request_id` holds it for the app's own log lines.

/readyz checks what a request needs besides the process: the database (one `SELECT 1`), the search
index (opens the searcher) and the payment gateway (one cheap HTTP call, READYZ_GATEWAY_TIMEOUT
seconds at most). 200 with each check's result when all pass; 503 naming the ones that failed.
"""
import re
import time
import uuid

from flask import current_app, g, jsonify, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def assign_request_id():
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex


def echo_request_id(response):
    rid = g.get("request_id")
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    return response


def check_database() -> str:
    import sqlalchemy as sa

    from ..extensions import db
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    return "ok"


def check_search() -> str:
    index = current_app.extensions.get("search")
    if index is None:
        raise RuntimeError("no search index configured")
    return f"ok ({index.doc_count()} documents)"


def check_gateway() -> str:
    import requests
    cfg = current_app.config
    url = cfg["STRIPE_API_BASE"].rstrip("/") + "/v1/balance"
    resp = requests.get(url, auth=(cfg["STRIPE_SECRET_KEY"], ""), timeout=float(cfg["READYZ_GATEWAY_TIMEOUT"]))
    if resp.status_code >= 500:
        raise RuntimeError(f"answered {resp.status_code}")
    return "ok"


CHECKS = {"database": check_database, "search": check_search, "gateway": check_gateway}


def readiness():
    results, failed = {}, []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            status = check()
        except Exception as err:  # noqa: BLE001  (any failure is the answer, not a 500)
            status = f"failed: {type(err).__name__}: {str(err)[:200]}"
            failed.append(name)
        results[name] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
    body = {"status": "ok" if not failed else "unavailable", "checks": results}
    if failed:
        body["failed"] = failed
    return jsonify(body), 503 if failed else 200


def init_app(app, bp):
    app.before_request(assign_request_id)
    app.after_request(echo_request_id)

    @bp.route("/healthz")
    def healthz():
        return {"status": "ok"}

    @bp.route("/readyz")
    def readyz():
        return readiness()
