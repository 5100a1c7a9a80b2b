"""Turn the labelled public data sets in the shared data folder into `Post`s, so real traffic can be replayed.

The files stay outside the repository (their licences are the publishers'); the data folder is, in order, the
`data_dir` argument, `$WAKEFUL_DATA_DIR`, or `../shared/data` next to the repository root. Labels go into
`raw` so evaluations can score the desk against them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from wakeful.core.models import Author, Engagement, Platform, Post
from wakeful.core.settings import BrandConfig

AIRLINE_TWEETS = Path("airline-tweets") / "Tweets.csv"
AIRLINE_SPLIT = Path("airline-tweets") / "split.csv"
TWCS = Path("twcs-sample") / "twcs.csv"

# The collection's clock: `tweet_created` carries no zone; US Pacific standard time (the data set's Feb 2015
# collection ran there) is the best single guess, as a fixed offset because the dates precede the DST switch.
AIRLINE_TZ = timezone(timedelta(hours=-8), "UTC-08:00")

# Label in the `airline` column → brand. The rows labelled "Delta" are in fact addressed to @JetBlue (2,218 of
# those 2,222 rows mention @JetBlue, 4 mention @Delta), a known quirk of this data set, so that brand is JetBlue.
AIRLINE_BRANDS: dict[str, BrandConfig] = {
    "Virgin America": BrandConfig(key="virginamerica", name="Virgin America", handles=["VirginAmerica"],
                                  names=["Virgin America"]),
    "United": BrandConfig(key="united", name="United Airlines", handles=["united"],
                          names=["United Airlines"]),
    "Southwest": BrandConfig(key="southwest", name="Southwest Airlines", handles=["SouthwestAir"],
                             names=["Southwest Airlines", "Southwest Air"]),
    "Delta": BrandConfig(key="jetblue", name="JetBlue", handles=["JetBlue"], names=["JetBlue", "Jet Blue"]),
    "US Airways": BrandConfig(key="usairways", name="US Airways", handles=["USAirways"], names=["US Airways"]),
    "American": BrandConfig(key="american", name="American Airlines", handles=["AmericanAir"],
                            names=["American Airlines"]),
}


def restore_airline_text(text: str) -> str:
    """The tweet as its author wrote it, undoing an edit the airline file's publisher made to every text.

    Before release each "cancel" and each "late", in any case and even inside a word, was replaced with the
    file's own reason labels "Cancelled Flight" and "Late Flight": "Cancelled Flightled" was "cancelled",
    "Late Flightr" "later", "reLate Flightd" "related"; no text of the 14,640 has a plain "late" or "cancel".
    Left in, a model learns a label name pasted into its input, one no real post carries (the reason labels
    are in train and test alike). The edit is undone exactly, save the letters' case.
    """
    return text.replace("Cancelled Flight", "cancel").replace("Late Flight", "late")


def default_data_dir() -> Path:
    """`$WAKEFUL_DATA_DIR` if set, else `../shared/data` beside the repository root."""
    env = os.environ.get("WAKEFUL_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"


class DataMissing(FileNotFoundError):
    """A labelled data set (or its folder) is not where the desk looks: the message says where and how to point
    it elsewhere."""


def _base(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def _require(base: Path, relative: Path) -> Path:
    target = base / relative
    if not target.is_file():
        raise DataMissing(
            f"data set file not found: expected {target} (data dir {base}; pass data_dir or set WAKEFUL_DATA_DIR)"
        )
    return target


def _stable_id(prefix: str, row: int, text: str) -> str:
    """An id that survives re-reads: the row and a hash of the text (the file's own ids were rounded)."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"{prefix}-{row:05d}-{digest}"


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _splits(base: Path, required: bool) -> dict[int, str]:
    path = _require(base, AIRLINE_SPLIT) if required else base / AIRLINE_SPLIT
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {int(r["row"]): r["split"] for r in csv.DictReader(fh)}


def airline_rows(data_dir: Path | str | None = None, split: str | None = None) -> Iterator[dict[str, str]]:
    """The airline file's rows in file order, the one reader of it, so no use forgets the restore: `text` is
    restored (`restore_airline_text`), `file_text` is the file's own (post ids hash it), `row` is the row number
    that `split.csv` keys on and `split` its published split ('' where `split.csv` is absent). With `split`, only
    that split's rows, and `split.csv` must be there."""
    base = _base(data_dir)
    path = _require(base, AIRLINE_TWEETS)
    splits = _splits(base, required=split is not None)
    with path.open(encoding="utf-8", newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh)):
            if split is None or splits.get(row_no) == split:
                yield dict(row, text=restore_airline_text(row["text"]), file_text=row["text"], row=str(row_no),
                           split=splits.get(row_no, ""))


def load_airline_tweets(data_dir: Path | str | None = None) -> tuple[list[Post], list[BrandConfig]]:
    """The 14,640 Twitter US Airline Sentiment tweets (Feb 2015) as X posts, and the six airlines as brands.

    `tweet_created` (`DD-MM-YYYY HH:MM`, no zone) is read as fixed UTC-08:00, the collection's local time.
    Ids are `airline-<row>-<hash of the file's text>` because the file's tweet ids were rounded by a
    spreadsheet; the text is restored (`restore_airline_text`); the author's handle is also their id;
    followers are unknown (0); `retweet_count` becomes reposts. Labels (`airline_sentiment`, `negativereason`,
    their confidences, the fixed `split`) and the brand key are in `raw["airline_tweets"]`. Sorted by
    creation time, then row.
    """
    rows: list[tuple[datetime, int, Post]] = []
    for row in airline_rows(data_dir):
        row_no = int(row["row"])
        created = datetime.strptime(row["tweet_created"], "%d-%m-%Y %H:%M").replace(tzinfo=AIRLINE_TZ)
        handle = row["name"]
        brand = AIRLINE_BRANDS.get(row["airline"])
        labels = {
            "row": row_no,
            "split": row["split"] or None,
            "airline": row["airline"],
            "brand": brand.key if brand else None,
            "airline_sentiment": row["airline_sentiment"],
            "airline_sentiment_confidence": _float(row["airline_sentiment_confidence"]),
            "negativereason": row["negativereason"] or None,
            "negativereason_confidence": _float(row["negativereason_confidence"]),
            "tweet_id_rounded": row["tweet_id"],
            "tweet_created": row["tweet_created"],
            "user_timezone": row["user_timezone"] or None,
            "tweet_location": row["tweet_location"] or None,
            "tweet_coord": row["tweet_coord"] or None,
        }
        post = Post(
            platform=Platform.X,
            id=_stable_id("airline", row_no, row["file_text"]),  # ids stay what earlier imports stored
            author=Author(id=handle, handle=handle),
            text=row["text"],
            created_at=created,
            engagement=Engagement(observed_at=created, reposts=int(row["retweet_count"] or 0)),
            raw={"airline_tweets": labels},
        )
        rows.append((created, row_no, post))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [p for _, _, p in rows], list(AIRLINE_BRANDS.values())


# The export left a few carriage returns unquoted inside texts; csv would split the row there.
_BARE_CR = re.compile(r"\r(?!\n)")


def _int_id(value: str | None) -> str | None:
    """`"3.0"` → `"3"`: pandas wrote the parent ids as floats."""
    if not value:
        return None
    return str(int(float(value)))


def load_twcs(data_dir: Path | str | None = None) -> list[Post]:
    """The Customer Support on Twitter sample (Oct 2017) as X posts with real threads, sorted by creation time.

    `reply_to_id` is `in_response_to_tweet_id`; `conversation_id` is the thread's root, found by following
    those links back as far as the sample goes (a parent missing from the sample ends the walk at the oldest
    post present). `raw["twcs"]` keeps `inbound` (True = customer, False = the brand's care account) and the
    response ids. Bare carriage returns inside texts become spaces. Customers' ids are anonymised numbers.
    """
    path = _require(_base(data_dir), TWCS)
    with path.open(encoding="utf-8", newline="") as fh:
        text = _BARE_CR.sub(" ", fh.read())
    rows = [r for r in csv.DictReader(io.StringIO(text, newline="")) if r.get("tweet_id")]
    parent = {r["tweet_id"]: _int_id(r["in_response_to_tweet_id"]) for r in rows}

    def root_of(tweet_id: str) -> str:
        seen = {tweet_id}
        current = tweet_id
        while (up := parent.get(current)) is not None and up in parent and up not in seen:
            seen.add(up)
            current = up
        return current

    posts: list[Post] = []
    for r in rows:
        created = datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        author = r["author_id"]
        responses = [x for x in (r["response_tweet_id"] or "").split(",") if x]
        posts.append(
            Post(
                platform=Platform.X,
                id=r["tweet_id"],
                author=Author(id=author, handle=author),
                text=r["text"],
                created_at=created,
                reply_to_id=parent[r["tweet_id"]],
                conversation_id=root_of(r["tweet_id"]),
                raw={"twcs": {"inbound": r["inbound"] == "True", "response_tweet_ids": responses}},
            )
        )
    posts.sort(key=lambda p: (p.created_at, int(p.id)))
    return posts
