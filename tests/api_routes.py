"""The app's routes, read from the app itself (so a route added later is walked too), and what the tests that
walk them expect of each: which answer without credentials, which writes an agent may make, which reads are for
leads."""

from __future__ import annotations

import re
from typing import Any, cast

from fastapi.routing import APIRoute, iter_route_contexts

from wakeful.api.app import create_app
from wakeful.api.deps import Desk

PW = "a long enough password"
PUBLIC = {("GET", "/healthz"), ("HEAD", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
"""What answers without credentials: the health check, and signing in and out."""
PUBLIC_MOUNTS = {"/static"}
"""The dashboard's CSS and scripts."""
AGENT_WRITES = {"/api/v1/cases/{case_id}/assign", "/api/v1/cases/{case_id}/state", "/api/v1/cases/{case_id}/replies",
                "/api/v1/cases/{case_id}/reveal", "/api/v1/cases/{case_id}/notes",
                "/api/v1/cases/{case_id}/merge", "/api/v1/cases/{case_id}/unmerge", "/api/v1/cases/{case_id}/split",
                "/api/v1/agents/{agent_id}/availability"}
"""The only writes an agent may make; every other write is for leads or admins."""
LEAD_READS = {"/api/v1/reports/agents", "/api/v1/agents/report", "/api/v1/connectors", "/api/v1/connectors/replies",
              "/api/v1/settings/brands", "/api/v1/settings/brands/{key}/history",
              "/api/v1/settings/brands/{key}/notify", "/api/v1/rejected"}
SAFE = {"GET", "HEAD", "OPTIONS"}
STREAMS = {"/api/v1/cases/changes"}
"""Never ends, so it is not read here: see test_the_change_stream_fires_only_for_the_callers_brand."""


def _route_table() -> tuple[list[tuple[str, str]], set[str], set[str], set[tuple[str, str]]]:
    """Every (method, path) the app serves, the paths that also export CSV (`format=csv`), the paths of what it
    mounts, and the (method, path) that read a body. The table does not depend on the desk, so none is built to
    read it at collection time."""
    routes, exports, mounts, bodies = [], set(), set(), set()
    for route in iter_route_contexts(create_app(cast(Desk, None)).routes):
        served = route.original_route
        if isinstance(served, APIRoute):
            routes += [(method, route.path) for method in sorted(route.methods or [])]
            if any(p.name == "format" for p in served.dependant.query_params):
                exports.add(route.path)
            if served.body_field is not None:
                bodies |= {(method, route.path) for method in route.methods or []}
        else:
            mounts.add(route.path)
    return routes, exports, mounts, bodies


ROUTES, EXPORTS, MOUNTS, BODIES = _route_table()
GUARDED = [r for r in ROUTES if r not in PUBLIC]
API_WRITES = [(m, p) for m, p in GUARDED if m not in SAFE and p.startswith("/api/")]
LEAD_WRITES = [(m, p) for m, p in API_WRITES if p not in AGENT_WRITES]
READS = [path for method, path in ROUTES if method == "GET" and path not in STREAMS]


def is_api(path: str) -> bool:
    """Whether the path answers as the API (401), not as a page (the sign-in redirect)."""
    return path.startswith("/api/") or path == "/openapi.json"


def fill(path: str, values: dict[str, Any] | None = None) -> str:
    """The path with its parameters filled in: from `values`, else 1."""
    return re.sub(r"{(\w+)}", lambda m: str((values or {}).get(m.group(1), 1)), path)


