"""Paging of the queue's JSON listing: its size limit and the headers that say how many match and where pages are.

The body stays a plain list of cases (what clients of the unpaged listing read); the total and the links travel in
headers, as GitHub's and many other listings do, so an old client keeps working and a new one can page.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from wakeful.desk.queue import QueueSlice

MAX_LIST = 1000
"""The most cases one GET /api/v1/cases lists; page on with `offset` (X-Total-Count says how many match)."""

PAGE_HEADERS: dict[str, Any] = {
    "X-Total-Count": {"description": "How many cases match the filters, over all pages",
                      "schema": {"type": "integer"}},
    "Link": {"description": 'The next and previous pages (RFC 8288: rel="next", rel="prev"), where there are any',
             "schema": {"type": "string"}},
}


def page_links(request: Request, page: QueueSlice) -> str:
    """The Link header for a page: the same request with `offset` a page on or back, its other parameters kept.

    Before a page asked for past the end comes the last `limit` cases, not another empty page."""
    links = []
    if page.has_more:
        links.append((page.offset + page.limit, "next"))
    if page.offset > 0:
        links.append((max(0, min(page.offset, page.matched) - page.limit), "prev"))
    here = request.url
    return ", ".join(f'<{here.path}?{here.include_query_params(offset=at).query}>; rel="{rel}"' for at, rel in links)
