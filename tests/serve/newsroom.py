"""A made-up wire archive for the README's screenshot: the shipped ``seeds/`` plus a few hundred generated
articles over four years, with the bursts of coverage a real one has, and a few rewritten stories.

Deterministic (one seeded generator), and nothing in it comes from a corpus the project may not ship.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from conftest import write_seed

REPO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = 4 * 365

TOPICS = {
    "oil": ("Oil prices {verb} as OPEC {meets}", "Brent crude {verb} on {place} supply worries",
            "Crude oil {verb} after {place} output figures"),
    "cocoa": ("Cocoa {verb} on {place} crop outlook", "Bahia cocoa harvest {verb} after rains"),
    "gold": ("Gold {verb} as dollar {moves}", "Gold {verb} in {place} trading"),
    "election": ("{place} election: turnout {verb}", "Polls {verb} in {place} election race"),
    "storm": ("Storm {verb} toward {place} coast", "Hurricane {verb} power in {place}"),
}
VERBS = ("rise", "fall", "steady", "climb", "slip", "surge")
MEETS = ("meets in Vienna", "weighs output cuts", "extends its deal")
MOVES = ("weakens", "firms", "holds")
PLACES = ("Houston", "Lagos", "Jakarta", "Rotterdam", "Sao Paulo", "Singapore", "Aberdeen")
SENTENCES = (
    "Traders in {place} said {topic} markets were watching the figures closely.",
    "Analysts expect {topic} to stay volatile through the quarter, a {place} broker said.",
    "Officials in {place} declined to comment on the {topic} report.",
    "The move in {topic} followed a week of heavy trading in {place}.",
    "Dealers said {topic} volumes were {amount} percent above the monthly average.",
)
#: Topics' bursts of coverage: (topic, first day of the burst, days, articles).
BURSTS = (("oil", dt.date(2016, 1, 10), 40, 60), ("storm", dt.date(2017, 8, 25), 20, 40),
          ("election", dt.date(2016, 10, 20), 25, 35), ("oil", dt.date(2018, 5, 1), 30, 35))


def _article(rng: random.Random, topic: str) -> tuple[str, str]:
    place = rng.choice(PLACES)
    headline = rng.choice(TOPICS[topic]).format(verb=rng.choice(VERBS), meets=rng.choice(MEETS),
                                                moves=rng.choice(MOVES), place=place)
    body = [rng.choice(SENTENCES).format(topic=topic, place=rng.choice(PLACES), amount=rng.randint(5, 40))
            for _ in range(rng.randint(3, 6))]
    return headline[0].upper() + headline[1:], "\n".join(body)


def write_newsroom(folder: Path, *, seed: int = 26) -> Path:
    """The shipped seeds and about 470 generated articles, in ``folder``."""
    shutil.copytree(REPO_SEEDS, folder)
    rng = random.Random(seed)
    dated = [(FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)), rng.choice(list(TOPICS)))
             for _ in range(300)]
    for topic, start, days, count in BURSTS:
        dated += [(start + dt.timedelta(days=rng.randrange(days)), topic) for _ in range(count)]
    for number, (day, topic) in enumerate(sorted(dated)):
        headline, body = _article(rng, topic)
        write_seed(folder, f"wire/{day:%Y}/{number:04d}", day.isoformat(), headline, body)
        if number % 25 == 0:  # a rewrite the next day: a new lead on the same story
            write_seed(folder, f"wire/{day:%Y}/{number:04d}-update", (day + dt.timedelta(days=1)).isoformat(),
                       "UPDATE 1-" + headline, "Adds comment from officials.\n" + body)
    return folder
