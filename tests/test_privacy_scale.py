"""An erasure's search costs no more for a customer who wrote forty posts than for one who wrote two: it does not
scan every row once more per post of theirs, and it finds them as completely (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select

from wakeful.api.deps import Desk
from wakeful.desk import privacy
from wakeful.store.models import AuthorRow, PostRow

from tests import privacy_scenario as sc
from tests.factories import make_post

MANY = 40
"""Her posts: past `privacy_search.LIKE_AT_MOST` and `REGEX_AT_MOST` needles, where a LIKE per needle, or one
regular expression, no longer pays."""
MIRA = [f"18000000000000000{i:03d}" for i in range(MANY)]
TOM = ["1850000000000000001", "1850000000000000002"]


def _scans(desk: Desk, run: Callable[[], object]) -> int:
    """How many LIKE (ILIKE) conditions, regular expressions (`~*`) and splits into words the statements `run` sent
    held: each is one more scan of every row of a table."""
    seen: list[int] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(len(re.findall(r"\bI?LIKE\b|~\*|\bregexp_split_to_table\b", statement, re.IGNORECASE)))

    event.listen(desk.db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", count)
    return sum(seen)


def _forget(desk: Desk, handle: str) -> Callable[[], object]:
    return lambda: privacy.request_erasure(desk.db, "x", handle=handle, account_id=None, requested_by="dpo",
                                           now=desk.clock.now())


def test_a_customer_with_many_posts_is_found_everywhere_by_as_few_scans_as_one_with_two(desk: Desk) -> None:
    desk.ingest.ingest([
        *(make_post(pid, f"@AuroraAirways my bag is still missing, day {i}", author="mira_k1985", minutes=-300 + i)
          for i, pid in enumerate(MIRA)),
        *(make_post(pid, "@AuroraAirways delayed again", author="tom_r77", minutes=-200 + i)
          for i, pid in enumerate(TOM)),
        make_post("1900000000000000001", "@mira_k1985 same here, see above", author="bob_b", minutes=-100,
                  reply_to=MIRA[33], conversation=MIRA[0],
                  raw={"data": {"referenced_tweets": [{"type": "quoted", "id": MIRA[21]}]}}),
        make_post("1900000000000000002", "@AuroraAirways thanks to Mira_K1985 and @tom_r77 for the tip",
                  author="dora", minutes=-90),
    ])

    few = _scans(desk, _forget(desk, "tom_r77"))
    many = _scans(desk, _forget(desk, "mira_k1985"))

    assert many <= few, (many, few)  # before: 82 needles' LIKEs over posts alone
    with desk.db.session() as session:
        mira, tom = (session.scalars(select(AuthorRow.id).where(AuthorRow.erased_at.is_not(None))
                                     .order_by(AuthorRow.id)).all())
        texts = {pid: text for pid, text in session.execute(select(PostRow.platform_id, PostRow.text))}
        bob = session.scalars(select(PostRow).where(PostRow.platform_id == "1900000000000000001")).one()
        assert texts["1900000000000000002"] == \
            f"@AuroraAirways thanks to erased-{mira} and @erased-{tom} for the tip"
        assert bob.text == f"@erased-{mira} same here, see above"
        ids = {i: pid for i, pid in session.execute(select(PostRow.id, PostRow.platform_id)
                                                    .where(PostRow.author_id == mira))}
        assert bob.raw == {"data": {"referenced_tweets": [{"type": "quoted", "id": f"erased-post-{min(ids) + 21}"}]}}
        assert bob.reply_to_id == f"erased-post-{min(ids) + 33}" == ids[min(ids) + 33]
        assert sc.traces(session, ("mira_k1985", "tom_r77", "bag is still missing", *MIRA, *TOM)) == []
