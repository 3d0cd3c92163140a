"""Write the generated part of the demo corpus: about a thousand articles of 2023-2025 in data/demo/generated/.

    .venv/bin/python data/demo/generate.py            # (re)writes data/demo/generated/
    .venv/bin/python data/demo/generate.py --out DIR  # somewhere else (the test compares the two)

Why here and not in analysis/ or tools/: this is data, not code the product runs. It uses the
standard library only, imports nothing from the project, and `flankwatch ingest` skips `.py`
files, so it can live beside the corpus it writes. Its output is committed (about 4 MB) so that
`make run`, the tests and a reviewer all see the same files without running it.

How it works: a timeline written by hand (``SPENDING``, ``DEPLOYMENTS``, ``MIGRATION``, ``EVENTS``:
dates, actors, figures and speakers of real events, rounded and sometimes simplified) is turned
into articles by story builders, one per kind of story, each choosing among sentence and
paragraph variants written for it. A month also gets background stories (procurement, exercises,
sabotage, Ukraine aid, everyday news) whose number follows the news cycle: border crises, the
drone and air-space incidents of September 2025, NATO summits and the autumn budget season. Every
article goes to one outlet and format; a few wire stories are carried again by a second outlet
with a new headline (the near-duplicates). ``random.Random(SEED)`` makes the output the same on
every run and machine; nothing depends on the clock.

All text is written for this corpus. The outlets are the ones Flankwatch follows, marked
"(demo)", with URLs on example.org / example.com: these are demo copies, not their articles.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import shutil
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

SEED = 20230101
HERE = Path(__file__).resolve().parent
OUT = HERE / "generated"
VILNIUS, RIGA, TALLINN, WARSAW = (ZoneInfo(z) for z in ("Europe/Vilnius", "Europe/Riga", "Europe/Tallinn",
                                                        "Europe/Warsaw"))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


# -- outlets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlet:
    key: str
    name: str
    host: str
    zone: ZoneInfo
    formats: tuple[str, ...]  # where its articles are written, chosen in turn
    authors: tuple[str, ...]


OUTLETS = {
    o.key: o for o in (
        Outlet("lrt", "LRT English (demo)", "lrt.example.org", VILNIUS, ("html", "html", "rss"),
               ("Justė Kairytė", "Mindaugas Laučys", "LRT English desk", "Benas Gerdžiūnas")),
        Outlet("bns", "BNS (demo)", "bns.example.org", VILNIUS, ("jsonl",), ("BNS",)),
        Outlet("tbt", "The Baltic Times (demo)", "baltictimes.example.com", RIGA, ("html", "atom"),
               ("TBT Staff", "Linas Jegelevičius", "Kristaps Lejnieks")),
        Outlet("err", "ERR News (demo)", "err.example.org", TALLINN, ("rss", "json"),
               ("Marcus Turovski", "Helen Wright", "Andrew Whyte", "ERR News desk")),
        Outlet("lsm", "LSM (demo)", "lsm.example.org", RIGA, ("atom", "atom", "csv"),
               ("LSM English", "Aija Krūmiņa", "Toms Ancītis")),
        Outlet("delfi", "Delfi (demo)", "delfi.example.org", VILNIUS, ("csv", "txt"),
               ("Delfi EN", "Rūta Petraitytė", "Delfi newsroom")),
        Outlet("wire", "Baltic Demo Wire (demo)", "balticwire.example.org", WARSAW, ("json", "json", "html"),
               ("Baltic Demo Wire", "Demo Wire staff")),
    )
}
# Which outlets cover a country's stories first (the home broadcaster, agency and portal).
HOME = {
    "Lithuania": ("lrt", "bns", "delfi", "tbt"), "Latvia": ("lsm", "tbt", "delfi", "wire"),
    "Estonia": ("err", "tbt", "wire"), "Poland": ("wire", "tbt", "bns", "delfi"),
    "NATO": ("wire", "lrt", "err", "lsm", "tbt"), "Baltic": ("tbt", "wire", "lrt", "err", "lsm", "delfi", "bns"),
}


# -- people ---------------------------------------------------------------------------------------

# (country, role, name, from, to): who held an office when; the story builders pick by date.
OFFICES = (
    ("Lithuania", "President", "Gitanas Nausėda", "2019-07-12", "2099-01-01"),
    ("Lithuania", "Prime Minister", "Ingrida Šimonytė", "2020-12-11", "2024-12-12"),
    ("Lithuania", "Prime Minister", "Gintautas Paluckas", "2024-12-12", "2025-08-05"),
    ("Lithuania", "Prime Minister", "Inga Ruginienė", "2025-08-25", "2099-01-01"),
    ("Lithuania", "Defence Minister", "Arvydas Anušauskas", "2020-12-11", "2024-03-25"),
    ("Lithuania", "Defence Minister", "Laurynas Kasčiūnas", "2024-04-10", "2024-12-12"),
    ("Lithuania", "Defence Minister", "Dovilė Šakalienė", "2024-12-12", "2025-10-20"),
    ("Lithuania", "Defence Minister", "Robertas Kaunas", "2025-10-20", "2099-01-01"),
    ("Lithuania", "Interior Minister", "Agnė Bilotaitė", "2020-12-11", "2024-12-12"),
    ("Lithuania", "Interior Minister", "Vladislav Kondratovič", "2024-12-12", "2099-01-01"),
    ("Lithuania", "Foreign Minister", "Gabrielius Landsbergis", "2020-12-11", "2024-12-12"),
    ("Lithuania", "Foreign Minister", "Kęstutis Budrys", "2024-12-12", "2099-01-01"),
    ("Latvia", "President", "Egils Levits", "2019-07-08", "2023-07-08"),
    ("Latvia", "President", "Edgars Rinkēvičs", "2023-07-08", "2099-01-01"),
    ("Latvia", "Prime Minister", "Krišjānis Kariņš", "2019-01-23", "2023-09-15"),
    ("Latvia", "Prime Minister", "Evika Siliņa", "2023-09-15", "2099-01-01"),
    ("Latvia", "Defence Minister", "Ināra Mūrniece", "2022-12-14", "2023-09-15"),
    ("Latvia", "Defence Minister", "Andris Sprūds", "2023-09-15", "2025-04-10"),
    ("Latvia", "Defence Minister", "Raivis Melnis", "2025-04-10", "2099-01-01"),
    ("Latvia", "Interior Minister", "Rihards Kozlovskis", "2023-09-15", "2099-01-01"),
    ("Latvia", "Interior Minister", "Māris Kučinskis", "2022-12-14", "2023-09-15"),
    ("Latvia", "Foreign Minister", "Baiba Braže", "2024-04-10", "2099-01-01"),
    ("Latvia", "Foreign Minister", "Edgars Rinkēvičs", "2014-01-01", "2023-07-08"),
    ("Latvia", "Foreign Minister", "Krišjānis Kariņš", "2023-09-15", "2024-03-31"),
    ("Estonia", "President", "Alar Karis", "2021-10-11", "2099-01-01"),
    ("Estonia", "Prime Minister", "Kaja Kallas", "2021-01-26", "2024-07-23"),
    ("Estonia", "Prime Minister", "Kristen Michal", "2024-07-23", "2099-01-01"),
    ("Estonia", "Defence Minister", "Hanno Pevkur", "2022-07-18", "2099-01-01"),
    ("Estonia", "Interior Minister", "Lauri Läänemets", "2022-07-18", "2025-03-21"),
    ("Estonia", "Interior Minister", "Igor Taro", "2025-03-21", "2099-01-01"),
    ("Estonia", "Foreign Minister", "Urmas Reinsalu", "2022-07-18", "2023-04-17"),
    ("Estonia", "Foreign Minister", "Margus Tsahkna", "2023-04-17", "2099-01-01"),
    ("Poland", "President", "Andrzej Duda", "2015-08-06", "2025-08-06"),
    ("Poland", "President", "Karol Nawrocki", "2025-08-06", "2099-01-01"),
    ("Poland", "Prime Minister", "Mateusz Morawiecki", "2017-12-11", "2023-12-13"),
    ("Poland", "Prime Minister", "Donald Tusk", "2023-12-13", "2099-01-01"),
    ("Poland", "Defence Minister", "Mariusz Błaszczak", "2018-01-09", "2023-11-27"),
    ("Poland", "Defence Minister", "Władysław Kosiniak-Kamysz", "2023-12-13", "2099-01-01"),
    ("Poland", "Interior Minister", "Tomasz Siemoniak", "2024-05-13", "2099-01-01"),
    ("Poland", "Interior Minister", "Mariusz Kamiński", "2019-08-20", "2023-11-27"),
    ("Poland", "Interior Minister", "Marcin Kierwiński", "2023-12-13", "2024-05-13"),
    ("Poland", "Foreign Minister", "Zbigniew Rau", "2020-08-26", "2023-11-27"),
    ("Poland", "Foreign Minister", "Radosław Sikorski", "2023-12-13", "2099-01-01"),
    ("NATO", "Secretary General", "Jens Stoltenberg", "2014-10-01", "2024-10-01"),
    ("NATO", "Secretary General", "Mark Rutte", "2024-10-01", "2099-01-01"),
    ("Germany", "Defence Minister", "Boris Pistorius", "2023-01-19", "2099-01-01"),
    ("Germany", "Chancellor", "Olaf Scholz", "2021-12-08", "2025-05-06"),
    ("Germany", "Chancellor", "Friedrich Merz", "2025-05-06", "2099-01-01"),
)
ADJECTIVE = {"Lithuania": "Lithuanian", "Latvia": "Latvian", "Estonia": "Estonian", "Poland": "Polish",
             "Germany": "German", "United States": "US", "Canada": "Canadian", "United Kingdom": "British",
             "Sweden": "Swedish", "Finland": "Finnish", "France": "French", "Spain": "Spanish", "Italy": "Italian",
             "Portugal": "Portuguese", "Hungary": "Hungarian", "Netherlands": "Dutch", "Denmark": "Danish",
             "Romania": "Romanian", "Czech Republic": "Czech", "Norway": "Norwegian", "Belgium": "Belgian",
             "NATO": "NATO"}
CAPITAL = {"Lithuania": "Vilnius", "Latvia": "Riga", "Estonia": "Tallinn", "Poland": "Warsaw", "NATO": "Brussels",
           "Germany": "Berlin"}
PARLIAMENT = {"Lithuania": "the Seimas", "Latvia": "the Saeima", "Estonia": "the Riigikogu", "Poland": "the Sejm"}


def office(country: str, role: str, day: date) -> str:
    iso = day.isoformat()
    held = [(end, name) for c, r, name, start, end in OFFICES if c == country and r == role and start <= iso]
    for end, name in held:
        if iso < end:
            return name
    if held:  # between two holders: the one who held it last (acting until the successor took over)
        return max(held)[1]
    raise KeyError(f"nobody was {role} of {country} on {day}")


def surname(name: str) -> str:
    return name.split()[-1]


# -- the article --------------------------------------------------------------------------------


@dataclass
class Story:
    day: date
    outlet: str
    title: str
    paragraphs: list[str]
    section: str = "News"
    tags: tuple[str, ...] = ()
    hour: int = 12
    minute: int = 0
    copy_of: "Story | None" = None
    slug: str = ""
    author: str = ""
    fmt: str = ""

    @property
    def local(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, self.hour, self.minute,
                        tzinfo=OUTLETS[self.outlet].zone)


class Writer:
    """Picks variants; one random generator for the whole corpus keeps it reproducible."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: dict[int, int] = {}  # how often each background subject was told

    def pick(self, options):
        return options[self.rng.randrange(len(options))]

    def some(self, options, k: int):
        return self.rng.sample(list(options), min(k, len(options)))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def pct(value: float) -> str:
    return f"{value:g}"


def when(story_day: date, said: date) -> str:
    """'on Tuesday' for the day before or the same day, as a report would say it."""
    return "on " + WEEKDAYS[said.weekday()]


def number(n: int) -> str:
    return f"{n:,}"


def words_number(n: int) -> str:
    small = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
             "twelve")
    return small[n] if n < len(small) else number(n)


def month_name(day: date) -> str:
    return MONTHS[day.month - 1]


def slugify(text: str, words: int = 7) -> str:
    text = text.lower().replace("ą", "a").replace("č", "c").replace("ę", "e").replace("ė", "e").replace("į", "i")
    text = text.replace("š", "s").replace("ų", "u").replace("ū", "u").replace("ž", "z").replace("ā", "a")
    text = text.replace("ē", "e").replace("ī", "i").replace("ņ", "n").replace("ļ", "l").replace("ķ", "k")
    text = text.replace("ģ", "g").replace("õ", "o").replace("ä", "a").replace("ö", "o").replace("ü", "u")
    text = text.replace("ł", "l").replace("ś", "s").replace("ź", "z").replace("ż", "z").replace("ó", "o")
    text = text.replace("ń", "n").replace("ć", "c")
    return "-".join(re.findall(r"[a-z0-9]+", text)[:words])


# -- the timeline: spending ---------------------------------------------------------------------

# (said, actor, kind, value, value_high, year, year_high, role, occasion, outlets)
# kind "target": a pledged level; "budget": a draft budget for a named year; "adopted": the
# parliament's vote on it; "level": the share reached this year. Lithuania's chain to 5-6 % and
# the older revisions are in the hand-written files (tests/test_revisions.py reads Lithuania's last
# change there, so nothing here restates its target); these add 2023-2025.
SPENDING = (
    ("2023-01-30", "Poland", "level", 4.0, None, 2023, None, "Prime Minister", "at a news conference in Warsaw", 2),
    ("2023-02-08", "Latvia", "budget", 2.25, None, 2023, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2023-02-16", "Lithuania", "level", 2.52, None, 2023, None, "Defence Minister", "on Independence Day", 2),
    ("2023-02-21", "Poland", "target", 3.0, None, None, None, "Defence Minister", "at a meeting with army commanders", 2),
    ("2023-03-31", "Estonia", "target", 3.0, None, 2024, None, "Prime Minister", "as the new coalition signed its agreement", 3),
    ("2023-06-15", "Estonia", "level", 2.85, None, 2023, None, "Defence Minister", "at a news conference in Tallinn", 2),
    ("2023-07-11", "NATO", "target", 2.0, None, None, None, "Secretary General", "at the summit in Vilnius", 3),
    ("2023-08-22", "Latvia", "target", 3.0, None, 2027, None, "Prime Minister", "after a meeting of the National Security Council", 3),
    ("2023-08-29", "Poland", "budget", 4.1, None, 2024, None, "Prime Minister", "after the cabinet meeting", 2),
    ("2023-09-27", "Lithuania", "budget", 2.75, None, 2024, None, "Prime Minister", "after the cabinet meeting", 2),
    ("2023-12-06", "Latvia", "adopted", 2.4, None, 2024, None, "Defence Minister", "after the final vote", 2),
    ("2023-12-06", "Estonia", "adopted", 3.2, None, 2024, None, "Defence Minister", "after the final vote", 2),
    ("2024-02-20", "Latvia", "target", 3.0, None, 2027, None, "Defence Minister", "at a conference on defence industry in Riga", 1),
    ("2024-06-04", "Latvia", "target", 3.0, None, 2025, None, "Prime Minister", "after a meeting of the National Security Council", 3),
    ("2024-08-28", "Poland", "budget", 4.7, None, 2025, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2024-09-12", "Estonia", "target", 3.7, None, 2026, None, "Prime Minister", "in his first speech on the state budget", 2),
    ("2024-09-25", "Estonia", "budget", 3.4, None, 2025, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2024-09-26", "Lithuania", "budget", 3.03, None, 2025, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2024-10-15", "Latvia", "budget", 3.45, None, 2025, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2024-12-04", "Latvia", "adopted", 3.45, None, 2025, None, "Defence Minister", "after the final vote", 1),
    ("2025-03-06", "Poland", "target", 4.0, None, None, None, "President", "in an address to the nation", 3),
    ("2025-03-13", "Estonia", "target", 5.0, None, 2026, None, "Prime Minister", "after a meeting of the government's security committee", 3),
    ("2025-03-26", "Latvia", "target", 4.0, None, 2026, None, "Defence Minister", "at a news conference in Riga", 2),
    ("2025-06-05", "NATO", "target", 5.0, None, 2035, None, "Secretary General", "after a meeting of defence ministers in Brussels", 2),
    ("2025-06-12", "Latvia", "target", 5.0, None, 2026, None, "Prime Minister", "after a government meeting", 3),
    ("2025-06-26", "Poland", "target", 5.0, None, 2026, None, "Defence Minister", "on his return from The Hague", 3),
    ("2025-08-28", "Poland", "budget", 4.8, None, 2026, None, "Prime Minister", "after the cabinet meeting", 2),
    ("2025-09-18", "Lithuania", "budget", 5.38, None, 2026, None, "Prime Minister", "after the cabinet meeting", 2),
    ("2025-09-24", "Estonia", "budget", 5.4, None, 2026, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2025-09-30", "Latvia", "budget", 4.9, None, 2026, None, "Defence Minister", "after the cabinet meeting", 2),
    ("2025-12-09", "Lithuania", "adopted", 5.38, None, 2026, None, "Defence Minister", "after the final vote", 2),
)
# Defence spending reached in a year, share of GDP, and the euros it meant (billions).
LEVELS = {
    ("Lithuania", 2023): (2.52, 1.83), ("Lithuania", 2024): (2.75, 2.13), ("Lithuania", 2025): (3.03, 2.4),
    ("Lithuania", 2026): (5.38, 4.79), ("Latvia", 2023): (2.25, 0.86), ("Latvia", 2024): (2.4, 1.0),
    ("Latvia", 2025): (3.45, 1.6), ("Latvia", 2026): (4.9, 2.2), ("Estonia", 2023): (2.85, 1.1),
    ("Estonia", 2024): (3.2, 1.3), ("Estonia", 2025): (3.4, 1.5), ("Estonia", 2026): (5.4, 2.4),
    ("Poland", 2023): (4.0, 28.5), ("Poland", 2024): (4.1, 37.0), ("Poland", 2025): (4.7, 43.0),
    ("Poland", 2026): (4.8, 47.0),
}
SPEND_ON = (
    "air defence systems and ammunition", "ammunition stocks, drones and the new division",
    "infrastructure for allied troops and the fortification of the eastern border",
    "HIMARS launchers, infantry fighting vehicles and anti-drone systems",
    "medium-range air defence, long-range fires and more conscripts",
    "the Baltic Defence Line, coastal defence and ammunition",
)
FINANCING = (
    "a temporary security contribution from banks and a higher excise duty on fuel",
    "borrowing, including loans from the EU's new defence instrument",
    "a defence fund financed by bonds and higher taxes on profits",
    "cuts in other ministries and a special defence fund outside the regular budget",
)
SPENDING_QUOTES = (
    "Security is not something we can buy later, when it is already too late",
    "We are spending this money so that we never have to use our army",
    "The threat has not gone away, and our plans have to match it",
    "Our allies see that we are serious, and that is the best argument for their presence here",
    "Every euro has to turn into real capability, not into reports",
    "We cannot ask others to defend us if we are not ready to pay for our own defence first",
    "Russia is rebuilding its forces faster than many expected, and we have to be faster",
    "This is a decision for a generation, not for one budget",
)


def _reworded(w: Writer, paragraphs: list[str]) -> list[str]:
    """The context reworded; the lead and every paragraph with a figure (a claim) kept as written."""
    return [p if i == 0 or re.search(r"\d", p) else vary(w, p) for i, p in enumerate(paragraphs)]


def _target_words(value: float, value_high: float | None) -> str:
    return f"{pct(value)}-{pct(value_high)}" if value_high else pct(value)


def _horizon(w: Writer, year: int | None, year_high: int | None) -> str:
    if year_high:
        return w.pick((f"in {year}-{year_high}", f"for {year}-{year_high}", f"from {year} to {year_high}"))
    if year is None:
        return ""
    return w.pick((f"by {year}", f"by {year}", f"from {year}"))  # "in 2024" reads as a budget, not a goal


def spending_story(w: Writer, said: date, actor: str, kind: str, value: float, value_high: float | None,
                   year: int | None, year_high: int | None, role: str, occasion: str, outlet: str) -> Story:
    if actor == "NATO":
        name = office("NATO", "Secretary General", said)
    else:
        name = office(actor, role, said)
    adj = ADJECTIVE[actor]
    v = _target_words(value, value_high)
    day = when(said, said)
    paragraphs: list[str] = []
    if kind == "target" and actor == "NATO":
        horizon = f" by {year}" if year else " every year"
        title = w.pick((f"NATO allies to spend at least {v} percent of GDP on defence{horizon}",
                        f"{surname(name)}: allies must spend {v} percent of GDP on defence{horizon}",
                        f"Allies back {v} percent defence spending goal{horizon}"))
        paragraphs.append(w.pick((
            f"NATO allies should spend at least {v} percent of their gross domestic product on defence{horizon}, "
            f"Secretary General {name} said {day} {occasion}.",
            f"Secretary General {name} said {day} {occasion} that every ally would spend at least {v} percent of "
            f"GDP on defence{horizon}, a commitment he called the foundation of the alliance's plans.",
        )))
        paragraphs.append(w.pick((
            "The Baltic states and Poland, which already spend well above the alliance average, had pushed for "
            "a firm commitment rather than a guideline that allies could miss without consequence.",
            "Diplomats from the eastern flank said the wording was stronger than they had expected a year ago, "
            "when several large allies still argued for flexibility.",
        )))
    elif kind == "target":
        horizon = _horizon(w, year, year_high)
        title = w.pick((
            f"{actor} to raise defence spending to {v} percent of GDP {horizon}, {role.lower()} says",
            f"{surname(name)}: {actor} will spend {v} percent of GDP on defence {horizon}",
            f"{actor} sets defence spending goal of {v} percent of GDP {horizon}",
        )).replace("  ", " ").replace(" ,", ",")
        if year is None:  # a floor for every year: said as a goal, or it reads as this year's level
            title = w.pick((f"{actor} sets defence spending floor of {v} percent of GDP",
                            f"{surname(name)}: {actor} must spend at least {v} percent of GDP on defence every year"))
        paragraphs.append(f"{actor}'s goal is to spend at least {v} percent of GDP on defence every year, {role} "
                          f"{name} said {day} {occasion}." if year is None else w.pick((
            f"{actor} will raise its defence spending to {v} percent of gross domestic product {horizon}, "
            f"{role} {name} said {day} {occasion}.",
            f"{role} {name} said {day} {occasion} that {actor} would spend {v} percent of GDP on defence {horizon}.",
            f"{actor}'s goal is to spend {v} percent of GDP on defence {horizon}, {role} {name} announced {day} "
            f"{occasion}.",
        )).replace("  ", " "))
        paragraphs.append(w.pick((
            f"The decision replaces the goal the government set only a year or two ago, which officials now say "
            f"was overtaken by events in Ukraine and by the alliance's new regional plans.",
            f"{surname(name)} said the previous plan had been drawn up before NATO's military planners told "
            f"allies what forces they would need to defend the region.",
            f"It is the latest in a series of increases since 2022, when {adj} politicians agreed across party "
            f"lines that defence should be the first priority of every budget.",
        )))
    else:
        eur = LEVELS.get((actor, year or said.year), (value, None))[1]
        money = f", about {eur:g} billion euros" if eur else ""
        if kind == "level":
            title = w.pick((f"{actor} spends {pct(value)} percent of GDP on defence this year, {role.lower()} says",
                            f"{actor}'s defence spending reaches {pct(value)} percent of GDP"))
            paragraphs.append(w.pick((
                f"{actor}'s defence spending this year amounts to {pct(value)} percent of gross domestic product"
                f"{money}, {role} {name} said {day} {occasion}.",
                f"{actor} will spend {pct(value)} percent of its GDP on defence this year{money}, {role} {name} "
                f"said {day} {occasion}.",
            )))
        elif kind == "budget":
            title = w.pick((
                f"{adj} government approves {year} budget with {pct(value)} percent of GDP for defence",
                f"{actor}'s draft {year} budget sets defence spending at {pct(value)} percent of GDP",
                f"Defence to get {pct(value)} percent of GDP in {actor}'s {year} budget",
            ))
            paragraphs.append(w.pick((
                f"The {adj} government {day} approved a draft budget for {year} that sets defence spending at "
                f"{pct(value)} percent of gross domestic product{money}, {role} {name} said.",
                f"Under the draft budget for {year} approved by the government {day}, {actor}'s defence spending "
                f"will amount to {pct(value)} percent of GDP{money}, {role} {name} said {occasion}.",
            )))
            paragraphs.append(w.pick((
                f"The draft now goes to {PARLIAMENT[actor]}, which is expected to vote on it before the end of the "
                f"year. Opposition parties have said they will not block the defence chapter.",
                f"The budget must still be approved by {PARLIAMENT[actor]}. Ministers said defence and support for "
                f"families were the two areas spared from the savings imposed on other ministries.",
            )))
        else:
            house = PARLIAMENT[actor][4:]
            title = w.pick((f"{actor}'s {house} adopts {year} budget, defence at {pct(value)} percent of GDP",
                            f"{actor} adopts {year} budget with {pct(value)} percent of GDP for defence"))
            paragraphs.append(w.pick((
                f"{actor}'s {house} {day} adopted the state budget for {year}, which allocates "
                f"{pct(value)} percent of gross domestic product to defence{money}.",
                f"{adj} lawmakers {day} approved the {year} state budget, setting defence spending at {pct(value)} "
                f"percent of GDP{money}, {role} {name} said {occasion}.",
            )))
        current = LEVELS.get((actor, said.year))
        if current and (year or said.year) != said.year and w.chance(0.6):
            paragraphs.append(w.pick((
                f"This year {actor} is spending about {pct(current[0])} percent of GDP on defence.",
                f"{actor}'s defence spending this year stands at about {pct(current[0])} percent of GDP.",
            )))
    paragraphs.append(w.pick((f"The money will go mainly to {w.pick(SPEND_ON)}, {surname(name)} said.",
                              f"Officials said the largest items would be {w.pick(SPEND_ON)}.",
                              f"Most of the increase is planned for {w.pick(SPEND_ON)}.")))
    quote = w.pick(SPENDING_QUOTES)
    paragraphs.append(w.pick((f'"{quote}," {surname(name)} told reporters.',
                              f'"{quote}," {name} said.', f'"{quote}," the {role.lower()} said.')))
    if actor != "NATO" and w.chance(0.6):
        paragraphs.append(w.pick((
            f"To pay for it, the government is relying on {w.pick(FINANCING)}.",
            f"Finance ministry officials said the plan would be financed through {w.pick(FINANCING)}.",
        )))
    if w.chance(0.5):
        paragraphs.append(w.pick((
            "Russia's full-scale war against Ukraine, now in its {n} year, has changed the debate about defence "
            "budgets across the region, where few politicians now argue for smaller armies.".format(
                n=("second" if said.year == 2023 else "third" if said.year == 2024 else "fourth")),
            "Military planners in the region point to Russia's plans to enlarge its forces near the Baltic states "
            "and Finland as the reason for the increases.",
            "The Baltic states and Poland have been among the strongest voices in NATO for higher spending, "
            "arguing that the alliance's eastern flank cannot rely on reinforcements arriving in time.",
            "Economists have warned that the higher spending will put pressure on other parts of the budget, "
            "but opinion polls show most voters back it.",
        )))
    if w.chance(0.4):
        paragraphs.append(w.pick((
            "Part of the money will be spent on the domestic defence industry, which the government wants to "
            "grow into a supplier of ammunition and drones for the whole region.",
            "Procurement officials said many contracts would be signed jointly with the other Baltic states to "
            "get better prices and faster deliveries.",
            "The armed forces have also been told to prepare for more conscripts, which will require new "
            "barracks and training areas.",
        )))
    paragraphs = [re.sub(r"\s+([,.])", r"\1", re.sub(r"  +", " ", p)) for p in paragraphs]
    tags = ("Defence", "Budget") if kind != "target" else ("Defence", "NATO")
    return Story(said, outlet, title, _reworded(w, paragraphs), section="Politics", tags=tags)


# -- the timeline: deployments -------------------------------------------------------------------

# (date, nation, size, unit words, place, how): "arrived" (here now), "plan" (to come), "policing"
# (a Baltic air policing rotation taking over), "speaker" names who said it when the story quotes one.
DEPLOYMENTS = (
    ("2023-03-30", "Germany", 4, "Eurofighter jets", "Ämari air base", "policing"),
    ("2023-04-03", "Spain", 4, "Eurofighter jets", "Šiauliai air base", "policing"),
    ("2023-04-18", "United States", 1000, "soldiers", "Pabradė", "arrived"),
    ("2023-05-16", "United Kingdom", 900, "troops", "Tapa", "arrived"),
    ("2023-06-20", "United States", 12, "Apache attack helicopters", "Lithuania", "arrived"),
    ("2023-07-10", "Canada", 2200, "troops", "Latvia", "plan"),
    ("2023-07-31", "Italy", 4, "F-35 jets", "Ämari air base", "policing"),
    ("2023-08-01", "Portugal", 4, "F-16 fighter jets", "Šiauliai air base", "policing"),
    ("2023-08-04", "Poland", 10000, "soldiers", "the border with Belarus", "plan"),
    ("2023-09-07", "Germany", 1600, "soldiers", "Rukla", "arrived"),
    ("2023-10-24", "Canada", 15, "Leopard 2 tanks", "Ādaži", "arrived"),
    ("2023-11-30", "France", 4, "Rafale jets", "Ämari air base", "policing"),
    ("2023-12-01", "Poland", 4, "F-16 fighter jets", "Šiauliai air base", "policing"),
    ("2024-02-14", "United States", 4000, "soldiers", "Poland", "arrived"),
    ("2024-03-28", "Germany", 4, "Eurofighter jets", "Ämari air base", "policing"),
    ("2024-04-02", "Hungary", 4, "Gripen jets", "Šiauliai air base", "policing"),
    ("2024-05-21", "United Kingdom", 1000, "troops", "Estonia", "plan"),
    ("2024-06-12", "Germany", 4800, "soldiers", "Lithuania", "plan"),
    ("2024-06-20", "Poland", 17000, "soldiers", "the border with Belarus", "arrived"),
    ("2024-06-27", "Canada", 1000, "soldiers", "Ādaži", "arrived"),
    ("2024-07-24", "Sweden", 600, "soldiers", "Latvia", "plan"),
    ("2024-07-31", "Netherlands", 4, "F-35 jets", "Ämari air base", "policing"),
    ("2024-08-01", "Italy", 4, "F-35 jets", "Šiauliai air base", "policing"),
    ("2024-09-17", "United States", 1000, "soldiers", "Pabradė", "arrived"),
    ("2024-10-08", "Germany", 150, "soldiers", "Vilnius", "arrived"),
    ("2024-11-29", "Italy", 4, "Eurofighter jets", "Ämari air base", "policing"),
    ("2024-12-02", "Spain", 6, "Eurofighter jets", "Šiauliai air base", "policing"),
    ("2025-01-23", "Canada", 1500, "soldiers", "Latvia", "arrived"),
    ("2025-01-29", "Sweden", 550, "soldiers", "Ādaži", "arrived"),
    ("2025-03-31", "United Kingdom", 4, "Typhoon jets", "Ämari air base", "policing"),
    ("2025-04-01", "Germany", 400, "soldiers", "Lithuania", "arrived"),
    ("2025-04-02", "Portugal", 4, "F-16 fighter jets", "Šiauliai air base", "policing"),
    ("2025-05-13", "United States", 1000, "soldiers", "Lithuania", "arrived"),
    ("2025-05-27", "Canada", 2200, "troops", "Latvia", "plan"),
    ("2025-08-01", "Romania", 4, "F-16 fighter jets", "Šiauliai air base", "policing"),
    ("2025-08-04", "Italy", 4, "F-35 jets", "Ämari air base", "policing"),
    ("2025-08-20", "Germany", 1000, "soldiers", "Lithuania", "arrived"),
    ("2025-08-26", "Canada", 2000, "soldiers", "Ādaži", "arrived"),
    ("2025-09-12", "Germany", 4, "Eurofighter jets", "Poland", "arrived"),
    ("2025-09-13", "France", 3, "Rafale jets", "Poland", "arrived"),
    ("2025-09-15", "Denmark", 2, "F-16 fighter jets", "Poland", "arrived"),
    ("2025-09-16", "Poland", 40000, "troops", "the border with Belarus", "arrived"),
    ("2025-10-07", "Sweden", 3, "Gripen jets", "Poland", "arrived"),
    ("2025-11-18", "Germany", 1500, "soldiers", "Lithuania", "arrived"),
    ("2025-11-28", "Germany", 4, "Eurofighter jets", "Ämari air base", "policing"),
    ("2025-12-01", "Hungary", 4, "Gripen jets", "Šiauliai air base", "policing"),
)
DEPLOY_SPEAKERS = {
    "Germany": ("Defence Minister", "Germany"), "Poland": ("Defence Minister", "Poland"),
    "United States": None, "Canada": None, "United Kingdom": None, "Sweden": None,
}
HOST = {"Pabradė": "Lithuania", "Rukla": "Lithuania", "Vilnius": "Lithuania", "Tapa": "Estonia", "Ādaži": "Latvia",
        "Ämari air base": "Estonia", "Šiauliai air base": "Lithuania", "the border with Belarus": "Poland"}
FORMATION = {
    "Germany": "the 45th Panzer Brigade, the Bundeswehr's first brigade stationed permanently abroad",
    "United States": "a rotational battalion of the US Army's armoured forces",
    "Canada": "the multinational brigade that Canada leads in Latvia",
    "United Kingdom": "the British-led NATO battle group",
    "Sweden": "the Canadian-led multinational brigade in Latvia",
    "Poland": "the operation to secure the eastern border",
    "Apache attack helicopters": "a US Army combat aviation brigade rotating through Europe",
    "Leopard 2 tanks": "the tank squadron of the Canadian-led brigade",
}


def deployment_story(w: Writer, day: date, nation: str, size: int, unit: str, place: str, how: str,
                     outlet: str) -> Story:
    adj = ADJECTIVE[nation]
    host = HOST.get(place, place if place in ADJECTIVE else "Poland")
    count = words_number(size) if size < 10 else number(size)
    d = when(day, day)
    the_nation = f"the {nation}" if nation in ("United States", "United Kingdom", "Netherlands") else nation
    paragraphs: list[str] = []
    if how == "policing":
        base = place
        title = w.pick((f"{adj} {unit.split()[0]}s take over Baltic air policing at {base.replace(' air base', '')}",
                        f"{count.capitalize()} {adj} {unit} start NATO air policing rotation in {host}",
                        f"{adj} air force arrives at {base} for four-month Baltic air policing mission"))
        paragraphs.append(w.pick((
            f"{count.capitalize()} {adj} {unit} took over NATO's Baltic air policing mission at {base} {d}, "
            f"the {ADJECTIVE[host]} armed forces said.",
            f"The {adj} air force {d} deployed {count} {unit} to {base} in {host}, where they will guard the "
            f"skies over the Baltic states for the next four months.",
        )))
        paragraphs.append(w.pick((
            "The jets are kept on quick reaction alert around the clock and can be airborne within minutes to "
            "identify aircraft that fly near allied airspace without flight plans or with their transponders off.",
            "Most of the scrambles are to identify Russian military aircraft flying between mainland Russia and "
            "the Kaliningrad region over the Baltic Sea, often without contact with air traffic control.",
            "The Baltic states have no fighter jets of their own, so allies have taken turns protecting their "
            "airspace since they joined NATO in 2004.",
        )))
        paragraphs.append(w.pick((
            f"The {adj} contingent also brings about {w.between(8, 14) * 10} personnel, including pilots, "
            "engineers and air traffic controllers.",
            "Since 2024 the mission has been treated as a peacetime air defence task rather than routine "
            "policing, and the rules for dealing with drones have been reviewed.",
            "Allied commanders said the number of intercepts had been rising, with Russian aircraft more often "
            "flying close to the airspace of Estonia and Finland.",
        )))
        paragraphs.append(w.pick((
            f'"Our pilots are ready to fly whenever they are needed," the {adj} detachment commander said at the '
            "handover ceremony.",
            f'"Protecting allied airspace is protecting our own," the {adj} ambassador said at the ceremony.',
        )))
        return Story(day, outlet, title, _reworded(w, paragraphs), section="Defence", tags=("NATO", "Air policing"))
    speaker = DEPLOY_SPEAKERS.get(nation)
    name = office(speaker[1], speaker[0], day) if speaker else None
    if how == "plan":
        title = w.pick((f"{nation} to deploy {count} {unit} to {place.replace('the border', 'border')}",
                        f"{adj} force in {host} to grow to {count} {unit}",
                        f"{nation} plans {count} {unit} for {host}"))
        who = f", {'Defence Minister ' + name if name else 'officials'} said {d}"
        paragraphs.append(w.pick((
            f"{the_nation[0].upper() + the_nation[1:]} will station about {count} {unit} in {place}{who}.",
            f"About {count} {adj} {unit} will be deployed to {place}{who}.",
        )))
        paragraphs.append(w.pick((
            f"The force will be part of {FORMATION.get(nation, 'NATO forward land forces')}, and will reach full "
            "strength over the next two years.",
            f"Details of the timing will be worked out with the host nation, which has promised barracks, "
            f"training areas and housing.",
        )))
    else:
        title = w.pick((f"About {count} {adj} {unit} arrive in {place.replace('the border', 'border')}",
                        f"{adj} {unit} deployed to {host}: about {count} now in place",
                        f"{count.capitalize()} {adj} {unit} now serving in {host}"))
        army = {"Apache attack helicopters": "US Army", "Leopard 2 tanks": "Canadian Army"}.get(unit)
        speaker_said = f"{'Defence Minister ' + name if name else 'a spokesperson for the armed forces'} said {d}"
        paragraphs.append(  # equipment counts only with a military word in its clause: the army deploys it
            f"The {army} has deployed {count} {unit} to {place}, officials said {d}." if army else w.pick((
                f"About {count} {adj} {unit} have arrived in {place}, the {ADJECTIVE.get(host, 'Polish')} armed "
                f"forces said {d}.",
                f"{the_nation[0].upper() + the_nation[1:]} has deployed about {count} {unit} to {place}, officials "
                f"said {d}.",
                f"About {count} {adj} {unit} are now stationed in {place}, {speaker_said}.",
            )))
        paragraphs.append(w.pick((
            f"They belong to {FORMATION.get(unit, FORMATION.get(nation, 'the allied forces on NATO’s eastern flank'))}.",
            "The deployment is part of NATO's plans to defend the eastern flank from the first hour of any attack, "
            "rather than retake territory later.",
        )))
    paragraphs.append(w.pick((
        f"{ADJECTIVE.get(host, 'Host')} officials welcomed the move, saying allied troops on the ground were the "
        "clearest signal that NATO would defend every part of its territory.",
        "Analysts say the presence of allied forces makes any Russian attack on the region an immediate attack "
        "on several allies at once.",
        "The host government has spent heavily on ranges, barracks and roads to be able to receive more allied "
        "troops, and says more are welcome.",
    )))
    if w.chance(0.7):
        paragraphs.append(w.pick((
            "The soldiers will train with local units on the ranges near the border, practising the defence of "
            "river crossings and the movement of reinforcements.",
            "Local residents near the base said they had got used to the sound of armoured vehicles and "
            "helicopters, and many welcomed the soldiers as customers for shops and cafés.",
            "Exercises with the host nation's brigades are planned for the autumn, including the first live-fire "
            "drills of the new units.",
            "Allied commanders said the forces would be tied into regional defence plans approved by NATO leaders "
            "in Vilnius in 2023.",
        )))
    if w.chance(0.5):
        paragraphs.append(w.pick((
            '"This is a long-term commitment to the security of the region," an allied officer told reporters.',
            '"We are here to deter, and if deterrence fails, to defend," the commander said.',
        )))
    return Story(day, outlet, title, _reworded(w, paragraphs), section="Defence", tags=("NATO", "Deployment"))


# -- the timeline: irregular migration -----------------------------------------------------------

# Attempts to cross from Belarus per month, as the border guards report them early the next month.
MIGRATION = {
    "Poland": {
        2023: (1300, 2700, 3900, 3000, 4200, 3400, 4100, 3100, 2500, 2300, 900, 600),
        2024: (1200, 2100, 2400, 3400, 5100, 4800, 3100, 2900, 2300, 2700, 1400, 700),
        2025: (900, 1100, 1700, 1900, 2600, 3100, 1500, 1200, 1000, 900, 600, None),
    },
    "Latvia": {
        2023: (400, 800, 1100, 900, 1200, 1500, 2300, 3800, 1500, 900, 500, 300),
        2024: (200, 300, 600, 900, 1500, 2100, 2700, 1900, 1100, 700, 300, 150),
        2025: (90, 120, 250, 310, 420, 600, 700, 500, 300, 200, 110, None),
    },
    "Lithuania": {
        2023: (150, None, 240, None, 300, None, 700, 900, 350, None, 120, None),
        2024: (None, None, None, 150, None, 300, 420, 380, None, 90, None, None),
        2025: (None, None, 60, None, None, 220, 250, None, 120, None, None, None),
    },
}
BORDER_SERVICE = {"Poland": "Polish Border Guard", "Latvia": "Latvian State Border Guard",
                  "Lithuania": "Lithuanian State Border Guard Service"}
VILLAGES = {
    "Poland": ("Hajnówka", "Białowieża", "Czeremcha", "Michałowo", "Sokółka", "Krynki", "Narewka", "Dubicze Cerkiewne"),
    "Latvia": ("Krāslava", "Daugavpils", "Robežnieki", "Indra", "Piedruja", "Silene", "Pāternieki"),
    "Lithuania": ("Druskininkai", "Varėna", "Šalčininkai", "Adutiškis", "Medininkai", "Dieveniškės", "Švenčionys"),
}
REGION = {"Poland": "Podlasie", "Latvia": "Latgale", "Lithuania": "the Varėna and Šalčininkai districts"}


def migration_story(w: Writer, day: date, country: str, month: date, count: int, previous: int | None,
                    outlet: str) -> Story:
    service = BORDER_SERVICE[country]
    m = month_name(month)
    d = when(day, day)
    verb = {"Poland": "recorded", "Latvia": "prevented", "Lithuania": "turned back"}[country]
    what = {"Poland": "attempts to cross the border illegally from Belarus",
            "Latvia": "attempts to cross the border illegally from Belarus",
            "Lithuania": "migrants trying to cross illegally from Belarus"}[country]
    short = {"Poland": "crossing attempts", "Latvia": "crossing attempts", "Lithuania": "migrants turned back"}[country]
    trend = "" if previous is None else ("up from" if count > previous else "down from")
    title = w.pick((
        f"{country}'s border guards {verb} {number(count)} {what} in {m}",
        f"{number(count)} {short} on {ADJECTIVE[country]}-Belarusian border in {m}",
        f"{ADJECTIVE[country]} border guards: {number(count)} {short} in {m}",
    ))
    paragraphs = [w.pick((
        f"The {service} {verb} {number(count)} {what} in {m}, the service said {d}.",
        f"{ADJECTIVE[country]} border guards {verb} {number(count)} {what} in {m}, according to figures "
        f"published by the {service} {d}.",
    ))]
    if previous is not None and w.chance(0.7):
        paragraphs.append(f"That was {'more' if count > previous else 'fewer'} than in the month before, "
                          f"when the figure was {number(previous)}.")
    paragraphs.append(w.pick((
        f"Most attempts were made in {REGION[country]}, where the border runs through forests and marshes that "
        "are hard to watch even with cameras and sensors along the fence.",
        "Border guards said the groups were increasingly organised, with smugglers using ladders, cutting tools "
        "and drones to find gaps in the barrier.",
        "Many of the people who tried to cross had travelled to Minsk on tourist or student visas issued by "
        "Russia or Belarus, the service said.",
        "The service said most of those stopped were young men from Afghanistan, Syria, Somalia, Eritrea and "
        "India, and that many had been brought to the border in Belarusian vehicles.",
        "Groups now try to cross at several points at once, officers said, so that patrols cannot reach all of "
        "them in time.",
        "Officers said the attempts were concentrated at night and on days of heavy rain, when cameras see less.",
        "Some people tried the same section of fence several times on consecutive nights, the service said.",
    )))
    paragraphs.append(w.pick((
        f"{ADJECTIVE[country]} officials accuse the regime in Minsk of organising the flows as a hybrid attack "
        "in retaliation for Western sanctions, a charge Belarus denies.",
        "The government in Minsk has been accused by the EU of steering migrants towards the border since 2021, "
        "when Alexander Lukashenko said Belarus would no longer stop them.",
        "The EU says Belarus uses migrants as a weapon against its neighbours; the Belarusian authorities say "
        "they are not responsible for people leaving their territory.",
    )))
    if w.chance(0.6):
        paragraphs.append(w.pick((
            "The border fence is being fitted with thermal cameras and motion sensors along its whole length, and "
            "patrols have been reinforced by soldiers and police officers.",
            "Human rights groups have criticised the practice of turning people back without examining asylum "
            "claims, and several cases are pending before European courts.",
            "Volunteers who help people stuck in the forests say the real number of crossings is higher, because "
            "some groups are never seen by the patrols.",
            "Police also detained several suspected smugglers during the month, most of them foreign citizens "
            "driving cars with Polish or Lithuanian plates.",
        )))
    if w.chance(0.5):
        paragraphs.append(w.pick((
            f'"The pressure on the border has not stopped; it changes with the weather and with the decisions of '
            f'the regime in Minsk," a {service} spokesperson said.',
            '"Every attempt we stop is a group that the smugglers will try to send again, so the numbers are not '
            'the number of people," a border guard officer said.',
        )))
    if w.chance(0.7):
        paragraphs.insert(2, w.pick((
            f"The largest groups were stopped near {w.pick(VILLAGES[country])} and {w.pick(VILLAGES[country])}, "
            "where the fence crosses wet ground and patrols rely on drones and thermal cameras.",
            f"Patrols near {w.pick(VILLAGES[country])} reported the most activity, mostly at night and in bad weather.",
            f"Near {w.pick(VILLAGES[country])}, officers found cut sections of the fence and ladders left in the woods.",
            f"A patrol near {w.pick(VILLAGES[country])} was attacked with stones and branches from the Belarusian side, "
            "the service said, without injuries.",
            f"Guards near {w.pick(VILLAGES[country])} saw Belarusian officers escorting groups to the fence.",
        )))
    if w.chance(0.4):
        paragraphs.append(w.pick((
            f"In {month_name(day)}, the service also opened criminal cases against drivers who picked people up "
            "on the roads leading away from the border.",
            "Cold and wet weather usually reduces the number of attempts in winter, while the summer months "
            "bring the highest figures.",
            "Soldiers and police officers from other regions were sent to help the border guards during the busiest weeks.",
            "The government is also extending the fence with a second line of sensors and a patrol road.",
            "Neighbouring countries share their daily figures, and officials say the routes shift quickly from "
            "one border to another when one becomes harder to cross.",
        )))
    if w.chance(0.7):
        facts = {"capital": CAPITAL[country], "weekday": WEEKDAYS[day.weekday()]}
        paragraphs.insert(w.between(2, len(paragraphs)), colour(w, facts))
    return Story(day, outlet, title, _reworded(w, paragraphs), section="News", tags=("Migration", "Border"))


# -- variation: the same thought in other words --------------------------------------------------

# Applied to the context paragraphs (never to a sentence that states a claim), each occurrence
# independently: two stories built from the same paragraph rarely share a run of three words.
SYNONYMS = tuple((re.compile(p), alternatives) for p, alternatives in (
    (r"\bofficials\b", ("officials", "authorities", "government officials", "officials")),
    (r"\bOfficials said\b", ("Officials said", "According to officials,", "Officials noted", "Officials added")),
    (r"\bthe government\b", ("the government", "the cabinet", "the government")),
    (r"\bThe government\b", ("The government", "The cabinet")),
    (r"\bthe military\b", ("the military", "the armed forces", "the army")),
    (r"\bborder guards\b", ("border guards", "border officers", "border guards", "guards")),
    (r"\bthe border\b", ("the border", "the frontier", "the border")),
    (r"\bthe country\b", ("the country", "the nation", "the country")),
    (r"\bseveral\b", ("several", "a number of", "several")),
    (r"\bquickly\b", ("quickly", "rapidly", "swiftly")),
    (r"\bthe region\b", ("the region", "the Baltic region", "the area", "the region")),
    (r"\bincreasingly\b", ("increasingly", "more and more")),
    (r"\bequipment\b", ("equipment", "kit", "hardware")),
    (r"\bincidents?\b", None),
    (r"\bresidents\b", ("residents", "inhabitants", "people living nearby")),
    (r"\bwarned\b", ("warned", "cautioned")),
    (r"\bin the coming weeks\b", ("in the coming weeks", "soon", "within weeks", "before long")),
    (r"\bthe alliance\b", ("the alliance", "NATO", "the alliance")),
    (r"\ballies\b", ("allies", "allied countries", "partners", "allies")),
    (r"\bbegan\b", ("began", "started")),
    (r"\bthreat\b", ("threat", "danger", "threat")),
    (r"\bsaid it would\b", ("said it would", "announced it would", "said it planned to", "promised to")),
    (r"\bthe latest in a series of\b", ("the latest in a series of", "one more in a string of", "the newest of several")),
    (r"\bexperts\b", ("experts", "analysts", "specialists")),
    (r"\bExperts\b", ("Experts", "Analysts", "Specialists")),
    (r"\bsaid\b", ("said", "said", "said", "noted", "stated", "added")),
    (r"\bmore than\b", ("more than", "over", "more than")),
    (r"\bimmediate\b", ("immediate", "direct")),
    (r"\bbig\b|\blarge\b", ("large", "big", "major")),
    (r"\bpeople\b", ("people", "people", "individuals")),
    (r"\bsince 2022\b", ("since 2022", "since Russia's full-scale invasion of Ukraine", "over the past few years")),
    (r"\bsince 2021\b", ("since 2021", "since the summer of 2021", "for several years")),
    (r"\bwould\b", ("would", "would", "will")),
    (r"\bforest(s?)\b", ("forest\\1", "woods", "forest\\1")),
    (r"\bclosely\b", ("closely", "carefully")),
    (r"\brequired\b", ("required", "needed", "called for")),
    (r"\bmain\b", ("main", "principal")),
    (r"\bhelp\b", ("help", "help", "assist")),
    (r"\bfirst\b", ("first", "first")),
    (r"\bsoldiers\b", ("soldiers", "troops", "soldiers")),
    (r"\bsupport\b", ("support", "backing", "support")),
    (r"\battacks\b", ("attacks", "strikes", "attacks")),
    (r"\bincrease\b", ("increase", "rise", "increase")),
    (r"\bincluding\b", ("including", "among them", "including")),
    (r"\bafter\b", ("after", "following", "after")),
    (r"\bnear\b", ("near", "close to", "near")),
    (r"\bbuy\b", ("buy", "purchase", "acquire")),
    (r"\bbuild\b", ("build", "construct", "build")),
    (r"\bneed\b", ("need", "require", "need")),
    (r"\bsays\b", ("says", "argues", "says", "maintains")),
    (r"\bsay\b", ("say", "argue", "say", "believe")),
    (r"\bduring\b", ("during", "in the course of", "throughout")),
    (r"\bbecause\b", ("because", "as", "since")),
    (r"\bthe capital\b", ("the capital", "the capital city")),
    (r"\bthe EU\b", ("the EU", "the European Union", "Brussels")),
    (r"\bpolice\b", ("police", "police officers", "the police")),
    (r"\bthe authorities\b", ("the authorities", "officials", "the state")),
    (r"\btold reporters\b", ("told reporters", "told journalists", "said at a briefing", "told the press")),
    (r"\bcountries\b", ("countries", "states", "nations")),
    (r"\bweapons\b", ("weapons", "arms", "weaponry")),
    (r"\bstarted\b", ("started", "began", "launched")),
    (r"\bshow\b", ("show", "demonstrate", "indicate")),
    (r"\bmake\b", ("make", "render", "make")),
    (r"\bready\b", ("ready", "prepared")),
    (r"\bwhole\b", ("whole", "entire")),
    (r"\bhard\b", ("hard", "difficult", "tough")),
    (r"\bstrong\b", ("strong", "robust", "powerful")),
    (r"\bdecision\b", ("decision", "move", "step")),
    (r"\bplans?\b", None),
    (r"\bto protect\b", ("to protect", "to guard", "to shield", "to defend")),
    (r"\bstill\b", ("still", "yet", "still")),
    (r"\bwork\b", ("work", "labour", "work")),
    (r"\bkey\b", ("key", "critical", "vital")),
    (r"\brecent\b", ("recent", "latest")),
    (r"\bpart of\b", ("part of", "one element of", "a component of")),
))


def vary(w: Writer, text: str) -> str:
    for pattern, alternatives in SYNONYMS:
        if alternatives:
            text = pattern.sub(lambda m: m.expand(w.pick(alternatives)), text)
    return text


# -- background stories: families of subjects and paragraphs --------------------------------------

COUNTRIES = ("Lithuania", "Latvia", "Estonia", "Poland")
BALTIC = ("Lithuania", "Latvia", "Estonia")


@dataclass
class Family:
    """A kind of story: subjects (dicts of facts), and sentence variants that use them."""

    key: str
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    body: tuple[str, ...]
    quotes: tuple[str, ...]
    subjects: tuple[dict, ...]
    section: str = "News"
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    peaks: dict = field(default_factory=dict)  # (year, month) -> extra weight
    countries: tuple[str, ...] = COUNTRIES
    cap: int = 2  # the most stories one subject gives in a year (a subject with a window: cap + 2)


def fill(template: str, facts: dict) -> str:
    return template.format(**facts)


def background_story(w: Writer, family: Family, day: date, outlet: str) -> Story | None:
    iso = day.isoformat()
    eligible = [s for s in family.subjects
                if s.get("window", ("", "9999"))[0] <= iso <= s.get("window", ("", "9999"))[1]
                and day.month in s.get("months", range(1, 13))]
    # a subject with a window is the news of those weeks; any other is told at most `cap` times a year
    eligible = [s for s in eligible if w.used.get((id(s), day.year), 0) < (family.cap + 2 if "window" in s else family.cap)]
    if not eligible:  # every subject told often enough this year: no story
        return None
    chosen = w.pick(eligible)
    w.used[(id(chosen), day.year)] = w.used.get((id(chosen), day.year), 0) + 1
    subject = {k: v for k, v in chosen.items() if k not in ("window", "months", "countries")}
    country = subject.get("country") or w.pick(chosen.get("countries", family.countries))
    role = w.pick(("Defence Minister", "Prime Minister", "Interior Minister", "Foreign Minister", "President"))
    if country == "Estonia" and role == "President" and w.chance(0.5):
        role = "Prime Minister"
    facts = {
        "country": country, "adj": ADJECTIVE[country], "capital": CAPITAL[country], "d": when(day, day),
        "month": month_name(day), "role": role, "name": office(country, role, day),
        "defmin": office(country, "Defence Minister", day), "intmin": office(country, "Interior Minister", day),
        "n": w.between(2, 9), "nn": w.between(12, 60), "year": day.year,
        "weekday": WEEKDAYS[day.weekday()],
    }
    facts["surname"] = surname(facts["name"])
    facts["role_lc"] = role.lower()
    for k, v in list(subject.items()):
        v = w.pick(v) if isinstance(v, tuple) else v
        facts[k] = v.format(**facts) if isinstance(v, str) else v
        if isinstance(v, str):
            facts[k + "_cap"] = facts[k][0].upper() + facts[k][1:]
    title = fill(w.pick(family.titles), facts)
    paragraphs = [vary(w, fill(w.pick(family.leads), facts))]
    k = w.between(3, min(6, len(family.body)))
    paragraphs += [vary(w, fill(t, facts)) for t in w.some(family.body, k)]
    if w.chance(0.75):
        paragraphs.insert(w.between(2, len(paragraphs)), colour(w, facts, civil=family.key == "everyday"))
    if family.quotes and w.chance(0.8):
        at = w.between(2, len(paragraphs))
        quote = fill(w.pick(family.quotes), facts)
        if facts["name"] not in " ".join(paragraphs[:at]):  # first mention: role and full name
            quote = quote.replace(f" {facts['name']} said", f" {facts['role']} {facts['name']} said")
            quote = quote.replace(f" {facts['surname']} said", f" {facts['role']} {facts['name']} said")
            quote = quote.replace(f" {facts['surname']} told", f" {facts['role']} {facts['name']} told")
        paragraphs.insert(at, quote)
    return Story(day, outlet, title[0].upper() + title[1:], paragraphs, section=family.section, tags=family.tags)


# A remark by someone close to the story, composed from parts: no two stories share it whole.
_OPENERS = ("At a briefing in {capital},", "Speaking to journalists on {weekday},", "In a statement posted online,",
            "Later on {weekday},", "In comments to a parliamentary committee,", "Earlier in the week,",
            "In a radio interview,", "Asked about it on {weekday},")
_WHO = ("the chief of defence", "a senior defence ministry official", "the head of the parliamentary defence committee",
        "an opposition lawmaker", "the commander of the land forces", "a spokesperson for the interior ministry",
        "the mayor of a border town", "an analyst at a {capital} think tank", "a former defence minister",
        "the head of the national crisis centre", "a retired general", "a member of the ruling coalition")
_CLAUSES = ("the events of recent months had changed how people think about security",
            "the country had learned more than any exercise could teach",
            "the authorities had shown the value of planning ahead",
            "the gaps that had been exposed should be closed without delay",
            "cooperation with neighbours was working better than critics claimed",
            "decisions would have to be taken faster", "the cost would put new pressure on the budget",
            "the public deserved clearer answers from the government",
            "people in the border regions felt safer than a year ago", "the threat was being taken seriously at last",
            "the response had been quicker than in the past", "more had to be done before winter",
            "allies were watching how the country responds",
            "the situation could change quickly and plans had to be ready")
_TAIL = ("", "", ", in his view", ", in her view", ", as things stand", ", adding that the coming months would tell")
_CIVIL_WHO = ("the mayor", "a local councillor", "one of the organisers", "a spokesperson for the city",
              "a visitor from Finland", "a shop owner in the old town", "the head of the tourism board")
_CIVIL_WHAT = ("the day had gone better than planned", "the city was proud of its volunteers",
               "it was good to talk about something other than war", "prices had kept some families away",
               "the weather had been kind", "more young people than usual had come", "next year would be bigger")


def colour(w: Writer, facts: dict, civil: bool = False) -> str:
    opener = w.pick(_OPENERS).format(**facts)
    if civil:
        return f"{opener} {w.pick(_CIVIL_WHO)} said {w.pick(_CIVIL_WHAT)}."
    return f"{opener} {w.pick(_WHO).format(**facts)} said {w.pick(_CLAUSES)}{w.pick(_TAIL)}."


def _months(*spec: str) -> dict:
    """'2025-09:6' -> {(2025, 9): 6.0}"""
    out = {}
    for item in spec:
        ym, extra = item.split(":")
        y, m = ym.split("-")
        out[(int(y), int(m))] = float(extra)
    return out


FAMILIES = (
    Family(
        "airspace", section="Defence", tags=("Air defence",), weight=1.6, countries=("Lithuania", "Latvia", "Poland"),
        peaks=_months("2023-08:2", "2023-12:2", "2024-03:3", "2024-04:1.5", "2024-05:1.5", "2025-07:3",
                      "2025-09:14", "2025-10:5", "2025-11:2"),
        titles=("{thing_cap} {verb} {adj} airspace, {role_lc} says", "{adj} air defence tracks {thing} near {place}",
                "{country} protests after {thing} {verb} its airspace",
                "Air-raid alert in {place} as {thing} crosses into {country}"),
        leads=("{thing_cap} {verb} {adj} airspace near {place} {d}, the {adj} armed forces said, prompting "
               "allied jets to take off.",
               "The {adj} military said {d} that {thing} had {verb} the country's airspace near {place} and "
               "that it had been tracked by radar until it left or came down.",
               "{role} {name} said {d} that {thing} entered {adj} airspace near {place}, calling it a "
               "deliberate provocation by Russia."),
        body=("NATO's air policing jets were scrambled, and ground-based air defence units were put on alert, "
              "the military said.",
              "The foreign ministry summoned the Russian charge d'affaires and handed over a note of protest.",
              "It was the latest in a series of incidents in which drones and aircraft have crossed into the "
              "airspace of NATO members on the eastern flank since Russia stepped up its attacks on Ukraine.",
              "Military officials said the country's air defence had been designed against aircraft and "
              "missiles and that cheap drones required new sensors, guns and interceptors.",
              "The government said it would speed up the purchase of anti-drone systems and ask allies for "
              "more air defence on the eastern flank.",
              "Residents near {place} were told by text message to stay indoors for about an hour while the "
              "object was tracked.",
              "Investigators were looking for debris, and police asked people who find fragments not to touch "
              "them and to call the emergency number.",
              "Air defence experts say the incidents test how quickly NATO detects and responds to intrusions, "
              "and what rules allow its pilots to shoot.",
              "NATO allies have discussed a shared air defence for the eastern flank, combining radars, "
              "interceptors and jets under one command.",
              "Flights at the nearest airport were briefly suspended while the airspace was closed."),
        quotes=('"This was not an accident; it was a test of our reaction," {name} said.',
                '"Our air defence saw it from the moment it crossed the border," a military spokesperson said.',
                '"We will shoot down anything that threatens our people," {surname} told reporters.'),
        subjects=(
            dict(thing="a Russian military drone", verb="violated", place="the border with Belarus"),
            dict(thing="an unidentified drone", verb="entered", place="the eastern border"),
            dict(window=("2024-06-01", "2025-12-31"), thing="two Russian fighter jets", verb="briefly violated", place="Vaindloo island", country="Estonia"),
            dict(window=("2023-12-20", "2024-04-30"), thing="a Russian cruise missile", verb="crossed into", place="Lubelskie province", country="Poland"),
            dict(window=("2025-09-09", "2025-12-31"), thing="several Russian drones", verb="violated", place="Podlasie", country="Poland"),
            dict(window=("2023-08-01", "2023-08-31"), thing="a Belarusian helicopter", verb="entered", place="Białowieża", country="Poland"),
            dict(window=("2025-08-20", "2025-12-31"), thing="a Gerbera decoy drone", verb="crashed in", place="the Rēzekne area", country="Latvia"),
            dict(window=("2025-07-01", "2025-12-31"), thing="a military drone", verb="crossed into", place="the Vilnius district", country="Lithuania"),
            dict(thing="a Russian reconnaissance aircraft", verb="flew into", place="the Gulf of Finland", country="Estonia"),
            dict(thing="a drone from Belarus", verb="entered", place="Latgale", country="Latvia"),
        ),
    ),
    Family(
        "scrambles", section="Defence", tags=("Air policing",), weight=1.0, countries=BALTIC,
        peaks=_months("2024-03:1", "2025-09:2"),
        titles=("NATO jets scrambled {n} times last week over the Baltic Sea",
                "Allied fighters scrambled {n} times to identify Russian aircraft",
                "Baltic air policing: {n} scrambles last week, military says"),
        leads=("NATO fighter jets on the Baltic air policing mission were scrambled {n} times last week to "
               "identify and escort aircraft flying near allied airspace, the {adj} armed forces said {d}.",
               "Allied jets based in Lithuania and Estonia took off {n} times last week to escort aircraft flying "
               "over the Baltic Sea without flight plans, the {adj} military said {d}."),
        body=("Most of the aircraft were Russian military planes flying between mainland Russia and Kaliningrad, "
              "including Il-20 reconnaissance aircraft, Su-30 fighters and An-26 transports.",
              "The aircraft had not filed flight plans and had their transponders switched off, the military said.",
              "None of the aircraft entered {adj} airspace, the armed forces said.",
              "The weekly figures are published every Monday and have become a rough measure of Russian military "
              "activity over the Baltic Sea.",
              "A Russian Il-20 was also spotted over the Gulf of Finland and was escorted by Finnish and allied "
              "jets until it turned back.",
              "The air policing mission is carried out by rotating allied contingents from the Šiauliai and "
              "Ämari air bases.",
              "Allied commanders say Russian flights over the Baltic Sea grew more frequent after Finland and "
              "Sweden joined the alliance."),
        quotes=(),
        subjects=(dict(), dict(), dict()),
    ),
    Family(
        "air_defence_buy", section="Defence", tags=("Air defence", "Procurement"), weight=1.0,
        peaks=_months("2023-09:1", "2024-06:1.5", "2025-09:3", "2025-10:2"),
        titles=("{country} to buy more {system} to protect its skies",
                "{adj} army receives first {system}",
                "{country} signs contract for {system} as it builds up air defence",
                "{defmin}: {system} will cover {country}'s main cities"),
        leads=("{country} will buy additional {system} to strengthen its air defence, Defence Minister "
               "{defmin} said {d}.",
               "The {adj} armed forces {d} received the first {system}, part of a plan to give the country a "
               "layered air defence against aircraft, missiles and drones.",
               "{country}'s defence ministry {d} signed a contract for {system}, the largest air defence "
               "purchase in the country's history."),
        body=("The systems will protect the capital, key infrastructure and the bases where allied troops are "
              "stationed.",
              "Deliveries are expected to begin within two years, and soldiers will start training on the new "
              "equipment this year.",
              "The purchase is part of a regional effort to close gaps in air defence that Baltic officials have "
              "called the weakest point of NATO's eastern flank.",
              "Air defence is one of the capabilities NATO has asked the Baltic states to build up most quickly.",
              "Officials said the country would also buy cheaper interceptors against drones, because using "
              "expensive missiles against them was not sustainable.",
              "The Baltic states have agreed to buy some systems jointly to save money and to make their units "
              "able to work together.",
              "Ukraine's experience of defending against drones and missiles has shaped the choice of systems, "
              "officials said.",
              "The ministry did not give the value of the contract, citing security reasons."),
        quotes=('"Air defence is the first thing any enemy would test," {defmin} said.',
                '"We are learning every day from Ukraine what works against drones," a ministry official said.'),
        subjects=(
            dict(system="NASAMS medium-range air defence systems"), dict(system="IRIS-T SLM air defence systems"),
            dict(system="short-range air defence missiles"), dict(system="anti-drone radars and jammers"),
            dict(system="Patriot batteries", country="Poland"), dict(system="CAMM air defence launchers", country="Poland"),
            dict(system="RBS 70 air defence systems", country="Latvia"), dict(system="Piorun air defence missiles"),
            dict(system="long-range air surveillance radars"),
        ),
    ),
    Family(
        "exercise", section="Defence", tags=("NATO", "Exercise"), weight=2.0,
        peaks=_months("2023-06:1.5", "2023-07:2", "2024-01:1", "2024-02:2", "2024-03:2", "2024-04:2",
                      "2024-05:2.5", "2024-06:1", "2024-07:1.5", "2025-05:1.5", "2025-06:2", "2025-09:1.5"),
        titles=("{exercise} begins in {country} with allied troops",
                "Thousands of soldiers take part in {exercise}",
                "{exercise} tests defence of NATO's eastern flank",
                "Allied troops practise crossing rivers in {exercise}"),
        leads=("About {nn},000 soldiers from {country} and allied countries began the {exercise} exercise {d}, "
               "the {adj} armed forces said." ,
               "The {exercise} exercise got under way in {country} {d}, with allied units practising how to "
               "reinforce the region quickly.",
               "Soldiers, reservists and allied troops are taking part in {exercise}, which the {adj} military "
               "called one of its largest exercises this year."),
        body=("The exercise includes the movement of armoured units across the country, river crossings and "
              "live-fire drills at the main training areas.",
              "Residents were warned of military convoys on main roads and of noise from shooting ranges.",
              "Allied commanders said the exercise would test how fast reinforcements could reach the region "
              "if it were threatened.",
              "The exercise is part of a series of NATO drills that practise the alliance's new regional "
              "defence plans.",
              "Reservists called up for the exercise trained alongside conscripts and professional soldiers.",
              "For the first time, units practised shooting down drones with electronic warfare equipment and "
              "small arms.",
              "The exercise also tests the host nation's ability to receive allied troops at ports, airports "
              "and railway stations.",
              "Observers from several allied countries were invited to watch the final phase.",
              "NATO says its exercises are defensive and planned years in advance, while Moscow calls them "
              "provocations."),
        quotes=('"Deterrence means being able to show that we can fight together," the exercise commander said.',
                '"Every exercise makes us faster," {defmin} said while watching the drills.'),
        subjects=(
            dict(months=(5, 6, 10, 11), exercise="Iron Wolf", country="Lithuania"), dict(months=(5,), exercise="Hedgehog", country="Estonia"),
            dict(months=(4, 5), exercise="Spring Storm", country="Estonia"), dict(months=(8, 9), exercise="Namejs", country="Latvia"),
            dict(months=(3, 4, 5), exercise="Crystal Arrow", country="Latvia"), dict(window=("2024-01-20", "2024-05-31"), exercise="Steadfast Defender"),
            dict(months=(5, 6), exercise="Saber Strike"), dict(months=(2, 3), exercise="Dragon", country="Poland"),
            dict(months=(11,), exercise="Anakonda", country="Poland"), dict(months=(5, 6, 9), exercise="Griffin Storm", country="Lithuania"),
            dict(months=(6,), exercise="BALTOPS"), dict(months=(9, 10), exercise="Thunder Storm", country="Lithuania"),
        ),
    ),
    Family(
        "army", section="Defence", tags=("Defence",), weight=1.3,
        peaks=_months("2024-01:2", "2024-02:1.5", "2025-03:2", "2025-04:2"),
        titles=("{country} {plan_short}", "{defmin}: {country} {plan_short}",
                "{adj} government backs plan to {plan_verb}"),
        leads=("{country} {plan}, Defence Minister {defmin} said {d}.",
               "The {adj} government {d} approved a plan to {plan_verb}, {defmin} said.",
               "{role} {name} said {d} that {country} {plan}."),
        body=("The plan responds to NATO's regional defence plans, which ask the Baltic states and Poland to "
              "hold ground from the first day of any attack.",
              "The armed forces say they need more soldiers, more reservists who train regularly and better "
              "protected positions along the border.",
              "The opposition supported the proposal, although some lawmakers asked how it would be financed.",
              "Work will start in the border regions, where landowners will be compensated for land used by the "
              "military.",
              "The defence ministry will present the details to parliament in the coming weeks.",
              "Military planners have studied the lessons of Ukraine, where fortified lines, mines and drones "
              "have slowed down Russian attacks.",
              "Similar plans are being drawn up in neighbouring countries, and the Baltic states coordinate "
              "their work on the border."),
        quotes=('"We must be ready to defend every metre of our land," {defmin} said.',
                '"A strong army at home is also the reason allies want to stand with us," {surname} said.'),
        subjects=(
            dict(window=("2024-01-19", "2025-12-31"), plan="will build hundreds of bunkers along its borders with Russia and Belarus as part of the "
                      "Baltic Defence Line", plan_short="to build bunkers along the eastern border",
                 plan_verb="build bunkers and anti-tank obstacles along the eastern border"),
            dict(plan="will call up more conscripts and lengthen reservist training",
                 plan_short="to call up more conscripts", plan_verb="expand conscription"),
            dict(plan="will set up a new division headquarters to command its brigades",
                 plan_short="to form a national division", plan_verb="form a national division"),
            dict(window=("2025-03-15", "2025-07-31"), plan="will leave the Ottawa convention banning anti-personnel mines",
                 plan_short="to leave landmine convention", plan_verb="leave the Ottawa convention on landmines"),
            dict(window=("2024-05-15", "2025-12-31"), plan="will build the East Shield, a system of obstacles, sensors and shelters on its eastern border",
                 plan_short="to build East Shield on its eastern border", plan_verb="build the East Shield",
                 country="Poland"),
            dict(plan="will train every adult citizen who wants it in basic military skills",
                 plan_short="to offer military training to volunteers", plan_verb="train volunteers"),
            dict(plan="will store ammunition and fuel closer to the border so that units can fight from the first hour",
                 plan_short="to move stocks closer to the border", plan_verb="move military stocks closer to the border"),
        ),
    ),
    Family(
        "belarus", section="News", tags=("Belarus",), weight=2.2, countries=("Lithuania", "Latvia", "Poland"),
        peaks=_months("2023-07:3", "2023-08:2.5", "2024-08:1", "2025-01:2", "2025-09:2", "2025-10:4",
                      "2025-11:3.5", "2025-12:1.5"),
        titles=("{topic_title}", "Belarus: {topic_title_lc}", "{adj} officials react as {topic_short}"),
        leads=("{topic_lead}",),
        body=("Alexander Lukashenko has ruled Belarus since 1994 and relies on Russia for money, weapons and "
              "political support.",
              "The Belarusian opposition leader Sviatlana Tsikhanouskaya, who lives in exile in Vilnius, said "
              "the regime was trying to blackmail its neighbours.",
              "Lithuania, Latvia and Poland have closed several border crossings with Belarus since 2021.",
              "The EU has imposed several rounds of sanctions on Belarus for its role in Russia's war against "
              "Ukraine and for the repression of its own citizens.",
              "{adj} officials said they were in contact with their neighbours and with NATO allies about the "
              "situation.",
              "Human rights groups count more than a thousand political prisoners in Belarus.",
              "Minsk dismissed the accusations as Western propaganda, according to state media.",
              "Russian troops and weapons have used Belarusian territory since 2022, when part of the invasion "
              "force crossed into Ukraine from the north."),
        quotes=('"The regime in Minsk is acting as an extension of the Kremlin," {name} said.',
                '"We will not be blackmailed by Lukashenko," {surname} said.'),
        subjects=(
            dict(window=("2023-07-01", "2023-09-30"), topic_title="Wagner fighters arrive in Belarus after failed mutiny",
                 topic_title_lc="Wagner fighters arrive after failed mutiny",
                 topic_short="Wagner fighters settle in Belarus",
                 topic_lead="Fighters of the Wagner mercenary group have begun arriving at a camp near Asipovichy "
                            "in Belarus, the {adj} intelligence services said {d}, weeks after their failed mutiny "
                            "in Russia."),
            dict(window=("2024-07-01", "2025-12-31"), topic_title="Lukashenko pardons more political prisoners",
                 topic_title_lc="more political prisoners freed",
                 topic_short="Minsk frees a group of political prisoners",
                 topic_lead="Belarusian leader Alexander Lukashenko has pardoned another group of political "
                            "prisoners, some of whom were taken straight to the Lithuanian border, opposition "
                            "groups said {d}."),
            dict(window=("2025-10-01", "2025-12-31"), topic_title="Smuggling balloons from Belarus close Vilnius airport again",
                 topic_title_lc="balloons close Vilnius airport again",
                 topic_short="balloons from Belarus disrupt flights",
                 topic_lead="Vilnius airport suspended flights for several hours {d} after balloons carrying "
                            "contraband cigarettes drifted in from Belarus, Lithuanian officials said.",
                 country="Lithuania"),
            dict(window=("2025-10-29", "2025-12-31"), topic_title="Lithuanian trucks stuck in Belarus as Minsk retaliates over border closure",
                 topic_title_lc="Lithuanian trucks stuck after border closure",
                 topic_short="Lithuanian lorries are held in Belarus",
                 topic_lead="Hundreds of Lithuanian lorries remain stuck in Belarus after Minsk refused to let "
                            "them leave, in what Vilnius called retaliation for its decision to close the "
                            "border over the smuggling balloons, officials said {d}.",
                 country="Lithuania"),
            dict(window=("2025-01-26", "2025-02-20"), topic_title="Lukashenko claims landslide in election condemned by the West",
                 topic_title_lc="Lukashenko claims landslide in election",
                 topic_short="Lukashenko claims another term",
                 topic_lead="Alexander Lukashenko claimed a seventh term as Belarusian leader in an election "
                            "that Western governments called a sham, and {adj} officials said {d} they would "
                            "not recognise the result."),
            dict(window=("2023-05-25", "2023-12-31"), topic_title="Belarus says Russian nuclear weapons are stationed on its territory",
                 topic_title_lc="Russian nuclear weapons stationed on its territory, Minsk says",
                 topic_short="Minsk confirms Russian nuclear weapons on its soil",
                 topic_lead="Belarus has received Russian tactical nuclear weapons and will keep them on its "
                            "territory, Alexander Lukashenko said {d}, a move {adj} officials called a threat "
                            "to the whole region."),
            dict(topic_title="{country} closes another crossing point on the Belarus border",
                 topic_title_lc="another crossing point closed",
                 topic_short="a crossing point with Belarus is shut",
                 topic_lead="{country} will close another crossing point on its border with Belarus, "
                            "{role} {name} said {d}, citing the risk of provocations by the regime in Minsk."),
            dict(topic_title="Belarus and Russia hold joint drills near the Polish and Lithuanian borders",
                 topic_title_lc="joint drills with Russia near the borders",
                 topic_short="Belarusian and Russian troops hold drills near the border",
                 topic_lead="Belarusian and Russian troops began joint drills near the borders with Poland and "
                            "Lithuania {d}, the Belarusian defence ministry said."),
        ),
    ),
    Family(
        "hybrid", section="News", tags=("Security",), weight=2.0,
        peaks=_months("2024-04:2", "2024-05:3", "2024-06:1.5", "2024-11:2", "2024-12:1.5", "2025-01:1.5"),
        titles=("{h_title}", "{country}: {h_title_lc}", "{adj} security service warns of {h_short}"),
        leads=("{h_lead}",),
        body=("The {adj} security service said the incident was part of a pattern of hostile acts directed by "
              "Russian intelligence against countries that support Ukraine.",
              "Investigators said the suspects had been recruited through messaging apps and paid small sums "
              "for each task.",
              "Officials urged residents to report suspicious activity near infrastructure, military sites and "
              "railway lines.",
              "The government said it would tighten the rules for foreigners' access to sensitive sites.",
              "Russia denies any involvement in sabotage in Europe.",
              "Security services in several European countries have reported similar cases since 2023, ranging "
              "from arson to cyberattacks on public services.",
              "Experts say such attacks are cheap for Russia and are designed to sow fear and test the response "
              "of NATO countries.",
              "The prosecutor's office said more arrests were possible."),
        quotes=('"This is hybrid warfare, and we treat it as such," {name} said.',
                '"The aim is to make people afraid; we will not let that happen," {surname} said.'),
        subjects=(
            dict(window=("2024-01-01", "2025-12-31"), h_title="GPS jamming disrupts flights over the Baltic Sea",
                 h_title_lc="GPS jamming disrupts flights", h_short="more GPS jamming",
                 h_lead="Satellite navigation signals were jammed over large parts of the Baltic Sea region "
                        "again this week, forcing pilots to switch to other systems, the {adj} transport "
                        "authority said {d}. Officials blamed jamming equipment in the Kaliningrad region."),
            dict(window=("2024-05-15", "2024-12-31"), h_title="Suspects detained over arson attack on Vilnius shopping centre",
                 h_title_lc="arrests over shopping centre arson", h_short="sabotage by hire",
                 h_lead="Lithuanian prosecutors said {d} that suspects had been detained over an arson attack "
                        "on a shopping centre in Vilnius, which they said was organised by Russian military "
                        "intelligence.", country="Lithuania"),
            dict(h_title="Cyberattack knocks government websites offline",
                 h_title_lc="cyberattack knocks websites offline", h_short="cyberattacks on public services",
                 h_lead="A wave of distributed denial-of-service attacks took several {adj} government websites "
                        "offline for hours {d}, the national cyber security centre said, blaming a pro-Russian "
                        "hacker group."),
            dict(h_title="Man charged with spying for Russia near military base",
                 h_title_lc="man charged with spying for Russia", h_short="Russian spying",
                 h_lead="A man was charged {d} with collecting information about a military base and passing "
                        "it to Russian intelligence, the {adj} prosecutor's office said."),
            dict(window=("2024-05-23", "2024-07-31"), h_title="Russian border guards remove more buoys on Narva river",
                 h_title_lc="Russian border guards remove buoys", h_short="provocations on the border river",
                 h_lead="Russian border guards removed more buoys marking the navigation channel on the Narva "
                        "river, the Estonian Police and Border Guard Board said {d}.", country="Estonia"),
            dict(window=("2024-10-15", "2025-06-30"), h_title="Parcel bombs sent via courier were a test run for attacks on flights, investigators say",
                 h_title_lc="parcel bombs linked to Russian intelligence", h_short="sabotage against air cargo",
                 h_lead="Incendiary parcels sent through a courier company's network were a test run for "
                        "attacks on cargo flights, {adj} investigators said {d}."),
            dict(h_title="Fake bomb threats sent to schools across the country",
                 h_title_lc="fake bomb threats sent to schools", h_short="hoax threats",
                 h_lead="Hundreds of schools received e-mails with fake bomb threats {d}, police said, the "
                        "latest in a series of hoaxes that officials link to Russian influence operations."),
        ),
    ),
)

FAMILIES += (
    Family(
        "infrastructure", section="News", tags=("Energy", "Infrastructure"), weight=1.3,
        peaks=_months("2023-10:3", "2024-11:3", "2024-12:3", "2025-01:3", "2025-02:4"),
        titles=("{i_title}", "{country}: {i_title_lc}", "Baltic Sea infrastructure: {i_title_lc}"),
        leads=("{i_lead}",),
        body=("Undersea cables and pipelines in the Baltic Sea carry electricity, gas and data between the "
              "Nordic and Baltic countries and the rest of Europe.",
              "NATO stepped up patrols in the Baltic Sea with frigates, maritime patrol aircraft and naval drones "
              "under the Baltic Sentry mission launched in January 2025.",
              "Investigators have focused on ships that dragged their anchors across the seabed, several of them "
              "linked to Russia's shadow fleet of ageing tankers.",
              "Operators said repairs could take weeks, but that supply was secured through other links.",
              "The Baltic states disconnected from the Russian-controlled power grid in February 2025 and now "
              "run their grids together with continental Europe.",
              "Energy officials said the region had built up enough alternative routes since 2022 to withstand "
              "the loss of a single link.",
              "The coast guard said it had increased checks on ships anchoring near cables and pipelines.",
              "Insurers and port authorities have been asked to check the documents of tankers that pass through "
              "the Gulf of Finland."),
        quotes=('"Critical infrastructure is now a front line," {name} said.',
                '"We cannot guard every metre of the seabed, but we can make sabotage costly," a navy officer said.'),
        subjects=(
            dict(window=("2023-10-10", "2024-03-31"), i_title="Balticconnector pipeline damage was caused by a ship's anchor, investigators say",
                 i_title_lc="pipeline damaged by anchor, investigators say",
                 i_lead="The Balticconnector gas pipeline between Finland and Estonia was damaged by the anchor "
                        "of a passing ship, investigators said {d}.", country="Estonia"),
            dict(window=("2024-11-18", "2025-02-28"), i_title="Two data cables cut in the Baltic Sea within a day",
                 i_title_lc="two data cables cut within a day",
                 i_lead="Two undersea data cables in the Baltic Sea were damaged within a day of each other, "
                        "operators said {d}, and officials said sabotage could not be ruled out."),
            dict(window=("2024-12-26", "2025-03-31"), i_title="Estlink 2 power cable damage: tanker crew questioned",
                 i_title_lc="tanker crew questioned over power cable",
                 i_lead="Finnish investigators {d} questioned the crew of a tanker suspected of damaging the "
                        "Estlink 2 power cable between Finland and Estonia, {adj} officials said.", country="Estonia"),
            dict(window=("2025-02-08", "2025-02-28"), i_title="Baltic power grids complete synchronisation with Europe",
                 i_title_lc="power grid joins continental Europe",
                 i_lead="The power grids of Lithuania, Latvia and Estonia began operating in sync with the "
                        "continental European network {d}, ending their last link to the Russian-controlled "
                        "system."),
            dict(window=("2025-01-14", "2025-06-30"), i_title="NATO ships begin Baltic Sentry patrols to guard undersea cables",
                 i_title_lc="Baltic Sentry patrols begin",
                 i_lead="Allied frigates and patrol aircraft began the Baltic Sentry mission {d}, watching ships "
                        "near undersea cables and pipelines, NATO said."),
            dict(i_title="Klaipėda LNG terminal to supply more gas to the region",
                 i_title_lc="LNG terminal to supply more gas to the region",
                 i_lead="The LNG terminal in Klaipėda will increase the amount of gas it sends to Latvia and "
                        "Estonia this winter, the operator said {d}.", country="Lithuania"),
            dict(window=("2025-01-01", "2025-12-31"), i_title="Navy escorts shadow fleet tanker out of territorial waters",
                 i_title_lc="navy shadows sanctioned tanker",
                 i_lead="A navy patrol ship escorted a tanker believed to belong to Russia's shadow fleet out of "
                        "{adj} waters {d}, after it anchored close to an undersea cable.", country="Estonia"),
        ),
    ),
    Family(
        "ukraine", section="News", tags=("Ukraine",), weight=1.5,
        peaks=_months("2023-02:1", "2024-02:1.5", "2025-02:1.5", "2025-03:1"),
        titles=("{country} sends {package} to Ukraine", "New {adj} aid package for Ukraine includes {package}",
                "{surname}: {country} will keep supporting Ukraine with {package}"),
        leads=("{country} will send {package} to Ukraine, {role} {name} said {d}.",
               "The {adj} government {d} approved a new support package for Ukraine that includes {package}.",
               "{role} {name} said {d} during a visit to Kyiv that {country} would provide {package}."),
        body=("{country} has been one of Ukraine's most steadfast supporters relative to the size of its economy.",
              "Ukrainian President Volodymyr Zelensky thanked the {adj} people in a message on social media.",
              "Part of the aid will be produced by {adj} companies, which have expanded production of drones "
              "and ammunition since 2022.",
              "The country also trains Ukrainian soldiers on its territory and treats wounded Ukrainian troops "
              "in its hospitals.",
              "Officials said support for Ukraine was an investment in the country's own security, because a "
              "Russian victory would put the Baltic region next in line.",
              "The package was coordinated with the coalition of countries that supply drones to Ukraine.",
              "Details of some deliveries were not made public for security reasons."),
        quotes=('"Ukraine is fighting for all of us," {name} said.',
                '"We will help Ukraine for as long as it takes, and with whatever we can," {surname} said.'),
        subjects=(dict(package="ammunition and drones"), dict(package="anti-drone equipment"),
                  dict(package="generators and winter equipment"), dict(package="armoured vehicles"),
                  dict(package="air defence missiles"), dict(package="more training for Ukrainian soldiers"),
                  dict(package="interceptor drones produced at home"), dict(package="mortars and shells")),
    ),
    Family(
        "russia", section="News", tags=("Russia",), weight=1.5,
        peaks=_months("2023-06:1", "2024-05:1", "2025-08:2", "2025-09:4"),
        titles=("{r_title}", "Russia: {r_title_lc}", "{adj} intelligence: {r_title_lc}"),
        leads=("{r_lead}",),
        body=("Russia's Baltic Fleet is based in Kaliningrad, the exclave between Lithuania and Poland.",
              "Baltic intelligence services say Russia is rebuilding its land forces near the region faster "
              "than expected, despite its losses in Ukraine.",
              "NATO said it was following the activity closely and that allied forces in the region were ready.",
              "Officials said there was no immediate military threat to the Baltic states but that the "
              "situation could change within a few years.",
              "Russia has said it is reacting to NATO's enlargement to Finland and Sweden and to allied forces "
              "in the Baltic states.",
              "Military analysts say Russia uses such exercises to practise moving troops quickly towards the "
              "borders of NATO countries.",
              "The {adj} military said it had raised the readiness of some units for the duration of the activity."),
        quotes=('"Russia remains the main threat to our security," {name} said.',
                '"We see what they practise, and we prepare for it," a senior intelligence officer said.'),
        subjects=(
            dict(r_title="Russia holds missile drills in Kaliningrad",
                 r_title_lc="missile drills in Kaliningrad",
                 r_lead="Russian forces in the Kaliningrad region held drills with Iskander missile systems {d}, "
                        "the Russian defence ministry said."),
            dict(r_title="Russian warships exercise near Baltic shipping lanes",
                 r_title_lc="warships exercise near shipping lanes",
                 r_lead="Warships of Russia's Baltic Fleet began an exercise in the Baltic Sea {d}, close to the "
                        "shipping lanes used by allied navies, {adj} officials said."),
            dict(r_title="Russia plans to build new bases near Finland and the Baltic states",
                 r_title_lc="new bases near Finland and the Baltic states",
                 r_lead="Russia is preparing to station more troops near its borders with Finland and the Baltic "
                        "states, {adj} intelligence said {d} in its annual threat assessment."),
            dict(window=("2025-09-01", "2025-09-20"), r_title="Zapad 2025 drills begin in Russia and Belarus",
                 r_title_lc="Zapad drills begin",
                 r_lead="Russia and Belarus began the Zapad 2025 military exercise {d}, and {adj} officials said "
                        "they were watching the drills near their borders closely."),
            dict(r_title="Russian nuclear-capable bombers fly over the Baltic Sea",
                 r_title_lc="nuclear-capable bombers over the Baltic Sea",
                 r_lead="Two Russian Tu-22M3 bombers flew over the Baltic Sea {d} escorted by fighter jets, and "
                        "were tracked by NATO aircraft, the {adj} military said."),
            dict(r_title="Intelligence report: Russia could be ready to test NATO within years",
                 r_title_lc="Russia could be ready to test NATO within years",
                 r_lead="Russia could be ready to test NATO's resolve in the Baltic region within a few years "
                        "after the war in Ukraine ends, the {adj} intelligence service said {d}."),
        ),
    ),
    Family(
        "migration_news", section="News", tags=("Migration",), weight=1.8,
        peaks=_months("2023-07:3", "2023-08:7", "2023-09:3", "2023-11:5", "2023-12:2", "2024-05:3", "2024-06:9",
                      "2024-07:4", "2025-03:2", "2025-04:1"),
        titles=("{m_title}", "{country}: {m_title_lc}", "Border with Belarus: {m_title_lc}"),
        leads=("{m_lead}",),
        body=("Since 2021, tens of thousands of people have tried to enter the EU from Belarus through forests "
              "and marshes along the border.",
              "The EU says the regime in Minsk helps organise the flows, issuing visas and taking people to the "
              "border, to put pressure on its neighbours.",
              "Human rights organisations say the practice of turning people back without hearing their asylum "
              "claims breaks international law.",
              "Border guards say smugglers charge thousands of euros per person and often abandon people in the "
              "forest.",
              "Several people have died of cold and exhaustion in the border forests since the crisis began.",
              "The government says the measures are temporary and will be reviewed as the situation changes.",
              "Opposition politicians said the measures came too late, while aid groups warned of more deaths."),
        quotes=('"We are defending the EU\'s external border, not only our own," {intmin} said.',
                '"Belarus is using people as a weapon," {surname} said.',
                '"Our border guards are working around the clock," the interior minister said.'),
        subjects=(
            dict(window=("2023-11-15", "2023-12-31"), m_title="Finland closes its border crossings with Russia as asylum seekers arrive",
                 m_title_lc="Finland shuts eastern border crossings",
                 m_lead="Finland closed all its road crossings on the border with Russia {d} after hundreds of "
                        "asylum seekers arrived there in a few weeks, and {adj} officials said they were ready "
                        "to do the same.", country="Estonia"),
            dict(window=("2024-06-06", "2024-06-20"), m_title="Polish soldier dies after being stabbed at the Belarus border",
                 m_title_lc="soldier dies after attack at the border",
                 m_lead="A Polish soldier who was stabbed through the border fence by a man trying to cross from "
                        "Belarus has died in hospital, the defence ministry said {d}.", country="Poland"),
            dict(window=("2023-08-08", "2023-09-30"), m_title="Latvia declares emergency in border districts as crossings rise",
                 m_title_lc="emergency declared in border districts",
                 m_lead="Latvia declared a state of emergency in its districts on the Belarusian border {d} as "
                        "the number of people trying to cross rose sharply, Interior Minister {intmin} said.",
                 country="Latvia"),
            dict(window=("2025-03-20", "2025-04-30"), m_title="Poland suspends the right to asylum at the Belarus border",
                 m_title_lc="asylum suspended at the border",
                 m_lead="Poland's parliament approved a law {d} that allows the government to suspend the right "
                        "to claim asylum at the border with Belarus for up to 60 days at a time.", country="Poland"),
            dict(m_title="Border fence with Belarus is finished, with cameras along its length",
                 m_title_lc="border fence finished",
                 m_lead="The {adj} government said {d} that work on the fence along the border with Belarus had "
                        "been completed, with surveillance cameras covering most of its length."),
            dict(m_title="Court jails smugglers who drove migrants from the Belarus border",
                 m_title_lc="smugglers jailed",
                 m_lead="A {adj} court {d} sentenced a group of smugglers to prison for transporting people who "
                        "had crossed illegally from Belarus towards Germany."),
            dict(window=("2024-06-10", "2024-07-31"), m_title="Poland brings back a buffer zone along part of the Belarus border",
                 m_title_lc="buffer zone restored along the border",
                 m_lead="Poland restored a no-go zone along parts of its border with Belarus {d}, barring "
                        "people who do not live there from approaching the fence.", country="Poland"),
        ),
        countries=("Lithuania", "Latvia", "Poland"),
    ),
    Family(
        "everyday", section="Life", tags=("Society",), weight=2.4, countries=BALTIC,
        peaks=_months("2023-05:1", "2023-07:1", "2024-07:1", "2025-07:1", "2025-09:1"),
        titles=("{e_title}",), leads=("{e_lead}",),
        body=("Organisers said they expected more visitors than last year.",
              "The event was broadcast live, and tickets sold out within days.",
              "Local businesses said the day brought welcome trade in a year of high prices.",
              "The city council thanked volunteers who helped to run the event.",
              "Forecasters said the weather would stay mild for the rest of the week.",
              "Officials said the figures were in line with expectations.",
              "The next edition is planned for the same time next year."),
        quotes=('"It was a day to remember," one of the organisers said.',
                '"We are proud of what we achieved together," the mayor said.'),
        subjects=(
            dict(months=(6, 7), e_title="Song and dance festival draws tens of thousands to {capital}",
                 e_lead="Tens of thousands of singers and dancers filled {capital} {d} for the national song and "
                        "dance festival, one of the largest amateur choral events in the world."),
            dict(months=(7, 8), e_title="{country}'s basketball team wins friendly before the championship",
                 e_lead="{country}'s national basketball team won a friendly match {d}, its last game before the "
                        "European championship."),
            dict(months=(12, 1, 2), e_title="Heavy snow closes schools and disrupts trains",
                 e_lead="Heavy snowfall closed schools in several districts of {country} {d} and delayed "
                        "trains, the authorities said."),
            dict(e_title="Inflation in {country} slows as energy prices fall",
                 e_lead="Consumer prices in {country} rose more slowly last month as energy prices fell, the "
                        "statistics office said {d}."),
            dict(e_title="New tram line opens in {capital}",
                 e_lead="A new tram line opened in {capital} {d}, connecting the city centre with growing "
                        "residential districts."),
            dict(e_title="Museum in {capital} reopens after renovation",
                 e_lead="The national museum in {capital} reopened to visitors {d} after a renovation that "
                        "lasted three years."),
            dict(months=(6, 7, 8), e_title="Summer heat brings record numbers to the beaches",
                 e_lead="Record numbers of people went to the beaches of {country} {d} as temperatures passed "
                        "30 degrees."),
            dict(e_title="Start-up from {capital} raises funding for growth",
                 e_lead="A technology start-up from {capital} said {d} it had raised new funding to expand into "
                        "other European markets."),
            dict(months=(5, 6, 7, 8), e_title="Farmers warn of poor harvest after dry spring",
                 e_lead="Farmers' organisations in {country} warned {d} that the grain harvest would be smaller "
                        "than usual after a dry spring and a cold May."),
            dict(e_title="Film festival in {capital} opens with domestic premiere",
                 e_lead="The international film festival in {capital} opened {d} with the premiere of a new "
                        "domestic feature film."),
            dict(window=("2023-05-28", "2023-06-10"), e_title="Ice hockey team celebrates world championship medal",
                 e_lead="Thousands of fans welcomed the national ice hockey team in {capital} {d} after its "
                        "success at the world championship.", country="Latvia"),
            dict(e_title="Government wins confidence vote after coalition dispute",
                 e_lead="The government of {country} survived a confidence vote in parliament {d} after weeks of "
                        "disputes within the ruling coalition."),
        ),
    ),
)
FAMILIES += (
    Family(
        "summit", section="Politics", tags=("NATO", "Summit"), weight=0.0, cap=2, countries=BALTIC,
        peaks=_months("2023-07:9", "2024-07:7", "2025-06:8"),
        titles=("{s_title}", "NATO summit: {s_title_lc}", "{adj} leaders at the summit: {s_title_lc}"),
        leads=("{s_lead}",),
        body=("Leaders of the Baltic states said the decisions showed that the alliance took the defence of its "
              "eastern flank seriously.",
              "The summit was held under tight security, with allied air defence systems and extra police on the "
              "streets.",
              "Diplomats said the final declaration was agreed only after long talks on the language about "
              "Ukraine's future membership.",
              "{role} {name} said {country} had come to the summit with clear goals and had achieved most of them.",
              "Russia's war against Ukraine dominated the talks, and Ukrainian President Volodymyr Zelensky met "
              "allied leaders on the sidelines.",
              "The host city closed several streets in the centre, and residents were asked to work from home "
              "during the two days of the meeting.",
              "Allied leaders also discussed the defence industry, which has struggled to produce enough "
              "ammunition for Ukraine and for allies' own stocks.",
              "Several leaders held bilateral meetings on the sidelines to discuss the deployment of allied forces "
              "in the Baltic region."),
        quotes=('"This summit sends a clear message to Moscow: every inch of allied territory will be defended," {name} said.',
                '"We got what we came for, and now we must deliver it," {surname} told reporters.'),
        subjects=(
            dict(window=("2023-07-03", "2023-07-10"), s_title="Vilnius turns into a fortress for the NATO summit",
                 s_title_lc="Vilnius under tight security", country="Lithuania",
                 s_lead="Allied air defence batteries, fighter jets and thousands of police officers were in place in "
                        "Vilnius {d} as the city prepared to host NATO leaders, Lithuanian officials said."),
            dict(window=("2023-07-11", "2023-07-14"), s_title="Allies approve regional defence plans at Vilnius summit",
                 s_title_lc="regional defence plans approved",
                 s_lead="NATO leaders meeting in Vilnius approved the alliance's first detailed regional defence "
                        "plans since the Cold War {d}, covering the Baltic states and Poland."),
            dict(window=("2023-07-11", "2023-07-15"), s_title="Ukraine gets a council with NATO but no invitation",
                 s_title_lc="a council for Ukraine, no invitation",
                 s_lead="Allies agreed in Vilnius {d} to set up a NATO-Ukraine Council but stopped short of inviting "
                        "Kyiv to join, a result {adj} officials called a step forward, if a smaller one than hoped."),
            dict(window=("2024-07-08", "2024-07-13"), s_title="NATO marks 75 years at Washington summit",
                 s_title_lc="alliance marks 75 years in Washington",
                 s_lead="NATO leaders gathered in Washington {d} to mark the alliance's 75th anniversary, and "
                        "{adj} officials said they would press for more air defence on the eastern flank."),
            dict(window=("2024-07-09", "2024-07-14"), s_title="Allies pledge long-term support for Ukraine in Washington",
                 s_title_lc="long-term support for Ukraine",
                 s_lead="Allies meeting in Washington agreed {d} on long-term military support for Ukraine and a "
                        "new NATO command to coordinate it, {adj} officials said."),
            dict(window=("2024-07-09", "2024-07-14"), s_title="Baltic leaders push for rotational air defence",
                 s_title_lc="a push for rotational air defence",
                 s_lead="The Baltic states used the Washington summit {d} to press allies to rotate air defence "
                        "batteries through the region, as they do with fighter jets."),
            dict(window=("2025-06-20", "2025-06-24"), s_title="The Hague prepares to host a short NATO summit",
                 s_title_lc="The Hague prepares",
                 s_lead="The Hague closed roads and airspace {d} as it prepared to host NATO leaders for a summit "
                        "expected to agree a new defence spending commitment."),
            dict(window=("2025-06-24", "2025-06-28"), s_title="Baltic leaders welcome new spending pledge at The Hague",
                 s_title_lc="the new spending pledge welcomed",
                 s_lead="Leaders of the Baltic states welcomed the spending commitment agreed at The Hague {d}, "
                        "saying the whole alliance was now following the path the region chose years ago."),
            dict(window=("2025-06-24", "2025-06-28"), s_title="Allies restate Article 5 commitment at The Hague",
                 s_title_lc="Article 5 restated",
                 s_lead="NATO leaders restated their commitment to collective defence under Article 5 {d}, and "
                        "{adj} officials said the message mattered more than any other part of the declaration."),
        ),
    ),
)


def _more(key: str, *subjects: dict, **changes) -> None:
    """Add subjects (and change settings) of a family declared above."""
    global FAMILIES
    FAMILIES = tuple(replace(f, subjects=f.subjects + subjects, **changes) if f.key == key else f for f in FAMILIES)


_more("airspace",
      dict(thing="a small drone", verb="entered", place="the Druskininkai area", country="Lithuania"),
      dict(thing="a Russian helicopter", verb="briefly entered", place="the Narva river", country="Estonia"),
      dict(thing="a Russian Il-20 reconnaissance plane", verb="flew close to", place="the Curonian Spit", country="Lithuania"),
      dict(window=("2025-07-01", "2025-12-31"), thing="a drone carrying explosives", verb="crashed in",
           place="the Gaižiūnai training area", country="Lithuania"),
      dict(window=("2024-01-01", "2025-12-31"), thing="two unidentified drones", verb="were seen over",
           place="the Rzeszów area", country="Poland"),
      dict(window=("2023-12-20", "2024-12-31"), thing="an object believed to be a missile", verb="entered",
           place="the Hrubieszów area", country="Poland"),
      dict(thing="a drone that had strayed from Ukraine", verb="came down in", place="a field in Latgale", country="Latvia"))
_more("belarus",
      dict(window=("2025-08-01", "2025-09-30"), topic_title="Tsikhanouskaya marks five years in exile in Vilnius",
           topic_title_lc="opposition leader marks five years in exile", topic_short="the opposition marks five years in exile",
           topic_lead="Belarusian opposition leader Sviatlana Tsikhanouskaya said {d} that five years after the "
                      "disputed election of 2020 her movement would keep working from exile in Vilnius.",
           country="Lithuania"),
      dict(topic_title="Belarusian opposition meets in Vilnius to plan its next steps",
           topic_title_lc="opposition meets in Vilnius", topic_short="the Belarusian opposition gathers",
           topic_lead="Exiled Belarusian opposition groups met in Vilnius {d} to discuss how to support political "
                      "prisoners and keep contact with people inside the country.", country="Lithuania"),
      dict(topic_title="Belarus jails another journalist on 'extremism' charges",
           topic_title_lc="another journalist jailed", topic_short="Minsk jails another journalist",
           topic_lead="A court in Belarus sentenced a journalist to several years in prison {d} on charges of "
                      "'extremism', media freedom groups said, and {adj} officials condemned the verdict."),
      dict(topic_title="EU adds Belarusian officials to its sanctions list",
           topic_title_lc="new EU sanctions", topic_short="the EU adds names to its Belarus sanctions",
           topic_lead="The EU added more Belarusian officials and companies to its sanctions list {d}, accusing "
                      "them of helping Russia's war and of repression at home; {country} had pushed for the step."),
      dict(topic_title="{country} expels Belarusian diplomat",
           topic_title_lc="diplomat expelled", topic_short="a Belarusian diplomat is expelled",
           topic_lead="{country} declared a Belarusian diplomat persona non grata {d}, citing activities "
                      "incompatible with diplomatic status, the foreign ministry said."),
      dict(window=("2024-12-01", "2025-12-31"), topic_title="Belarus says Oreshnik missiles will be stationed on its soil",
           topic_title_lc="Oreshnik missiles to be stationed in Belarus", topic_short="Minsk plans to host Oreshnik missiles",
           topic_lead="Alexander Lukashenko said {d} that Russia's new Oreshnik intermediate-range missile would be "
                      "stationed in Belarus, and {adj} officials said the move was meant to intimidate NATO."),
      dict(topic_title="Belarusian guards accused of pushing migrants towards the fence",
           topic_title_lc="guards accused of pushing migrants to the fence", topic_short="Belarusian guards steer migrants",
           topic_lead="{adj} border guards said {d} that they had filmed Belarusian officers leading groups of "
                      "migrants to the fence at night and cutting the wire for them."))
_more("hybrid",
      dict(h_title="Estonia expels Russian diplomat over interference", h_title_lc="Russian diplomat expelled",
           h_short="interference by Russian diplomats",
           h_lead="Estonia ordered a Russian diplomat to leave the country {d}, accusing him of undermining the "
                  "constitutional order, the foreign ministry said.", country="Estonia"),
      dict(window=("2025-11-01", "2025-12-31"), h_title="Railway line damaged in sabotage, investigators say",
           h_title_lc="railway line sabotaged", h_short="sabotage on railways",
           h_lead="An explosion damaged a railway line used to carry aid to Ukraine {d}, Polish investigators said, "
                  "calling it an act of sabotage organised by Russian intelligence.", country="Poland"),
      dict(h_title="Teenagers recruited on Telegram detained over sabotage plot",
           h_title_lc="teenagers detained over sabotage plot", h_short="recruitment of young saboteurs",
           h_lead="Police in {country} detained several teenagers {d} who they say were recruited on Telegram to "
                  "film military sites and set fire to cars for small payments."),
      dict(h_title="Disinformation campaign targets allied soldiers", h_title_lc="disinformation targets allied soldiers",
           h_short="fake stories about allied troops",
           h_lead="Fake news stories about allied soldiers committing crimes spread on social media {d}, the "
                  "{adj} armed forces said, calling it a coordinated Russian campaign."),
      dict(h_title="Fire at electricity substation investigated as possible sabotage",
           h_title_lc="substation fire investigated as sabotage", h_short="attacks on the power grid",
           h_lead="Investigators in {country} are treating a fire at an electricity substation {d} as possible "
                  "sabotage, the police said."))
_more("infrastructure",
      dict(i_title="Estonia and Finland plan a third power cable", i_title_lc="third power cable planned",
           i_lead="Estonia and Finland agreed {d} to study a third undersea power cable between the two countries, "
                  "officials said, to make the link less vulnerable.", country="Estonia"),
      dict(window=("2023-01-01", "2025-01-31"), i_title="Grid operators test running the Baltic power system alone",
           i_title_lc="grid operators test running alone",
           i_lead="The Baltic grid operators ran their power systems in isolation for several hours {d}, a test "
                  "before leaving the Russian-controlled network for good."),
      dict(i_title="Rail Baltica construction reaches new milestone", i_title_lc="Rail Baltica milestone",
           i_lead="Construction of the Rail Baltica railway reached a new milestone {d}, with the first section of "
                  "European-gauge track completed in {country}, the project said.", countries=BALTIC),
      dict(i_title="Power prices jump as undersea interconnector is switched off",
           i_title_lc="power prices jump during cable outage",
           i_lead="Electricity prices in the Baltic states rose sharply {d} after an undersea interconnector was "
                  "switched off for repairs, the exchange said."),
      dict(i_title="Gas storage at Inčukalns filled ahead of winter", i_title_lc="gas storage filled ahead of winter",
           i_lead="The Inčukalns underground gas storage facility has been filled ahead of the heating season, "
                  "Latvia's gas system operator said {d}.", country="Latvia"),
      dict(i_title="Offshore wind tender draws bidders despite security concerns", i_title_lc="offshore wind tender draws bidders",
           i_lead="A tender to build an offshore wind farm off the coast of {country} drew several bidders, the "
                  "energy ministry said {d}, despite concerns about protecting such installations."))
_more("russia",
      dict(window=("2024-02-01", "2024-08-31"), r_title="Russia restores the Leningrad Military District",
           r_title_lc="Leningrad Military District restored",
           r_lead="Russia formally restored the Leningrad Military District {d}, a command that will oversee forces "
                  "facing Finland and the Baltic states, {adj} officials said."),
      dict(r_title="Russian submarines exercise in the Baltic Sea", r_title_lc="submarines exercise in the Baltic",
           r_lead="Submarines of Russia's Baltic Fleet took part in an exercise off Kaliningrad {d}, the Russian "
                  "defence ministry said, as allied ships watched nearby."),
      dict(r_title="Russian fighter flies close to allied patrol aircraft", r_title_lc="fighter flies close to allied plane",
           r_lead="A Russian fighter flew dangerously close to an allied patrol aircraft over the Baltic Sea {d}, "
                  "the {adj} military said."),
      dict(window=("2024-05-01", "2024-07-31"), r_title="Russia practises the use of tactical nuclear weapons",
           r_title_lc="drills with tactical nuclear weapons",
           r_lead="Russian forces began drills on the use of tactical nuclear weapons {d}, including units in the "
                  "Leningrad region near the Baltic states, the Russian defence ministry said."),
      dict(r_title="Kaliningrad air defence units hold drills", r_title_lc="Kaliningrad air defence drills",
           r_lead="Air defence units in the Kaliningrad region held drills {d}, practising the defence of the "
                  "exclave against air attack, Russian media reported."))
_more("ukraine",
      dict(package="equipment to repair Ukraine's power grid"), dict(package="field hospitals and medical supplies"),
      dict(package="demining equipment"), dict(package="radars and communication systems"),
      dict(package="a contribution to the joint ammunition purchase"))
_more("migration_news",
      dict(m_title="Asylum seekers wait months in border reception centre", m_title_lc="long waits in reception centre",
           m_lead="People who applied for asylum after crossing from Belarus wait months for decisions in the "
                  "reception centre near the border, aid groups in {country} said {d}."),
      dict(m_title="EU funds cameras and sensors for the Belarus border", m_title_lc="EU money for border surveillance",
           m_lead="The European Commission approved money {d} for surveillance cameras, sensors and patrol "
                  "vehicles on {country}'s border with Belarus, the interior ministry said."),
      dict(m_title="Aid workers say people are being pushed back into freezing forests",
           m_title_lc="aid workers criticise pushbacks",
           m_lead="Aid workers in {country} said {d} that people caught after crossing from Belarus were being "
                  "sent back into the forest without a chance to ask for asylum.", months=(10, 11, 12, 1, 2)),
      dict(m_title="Drones join border patrols", m_title_lc="drones join border patrols",
           m_lead="Border guards in {country} began using long-range drones {d} to watch the border with "
                  "Belarus at night, the interior ministry said."),
      dict(m_title="Migrants found in lorry near the German border after crossing from Belarus",
           m_title_lc="migrants found in lorry",
           m_lead="Police found a group of migrants hidden in a lorry near the German border {d}; they had "
                  "crossed into {country} from Belarus days earlier, investigators said."))
_more("army",
      dict(plan="will call up thousands of reservists for refresher training this year",
           plan_short="to call up more reservists", plan_verb="call up more reservists"),
      dict(plan="will open a new training area near the eastern border for allied and national troops",
           plan_short="to open a new training area", plan_verb="open a new training area near the border"),
      dict(plan="will strengthen roads and bridges so that allied tanks can cross the country quickly",
           plan_short="to upgrade roads and bridges for allied tanks", plan_verb="upgrade roads and bridges for military traffic"),
      dict(plan="will set up drone units in every brigade",
           plan_short="to add drone units to every brigade", plan_verb="create drone units in every brigade"))
_more("everyday",
      dict(e_title="Marathon takes over the streets of {capital}",
           e_lead="Thousands of runners took part in the {capital} marathon {d}, running through the old town "
                  "and along the river.", months=(5, 9, 10)),
      dict(e_title="Storm cuts power to thousands of homes", e_lead="A storm with strong winds cut power to thousands "
           "of homes in {country} {d}, and repair crews worked through the night.", months=(10, 11, 12, 1)),
      dict(e_title="New bridge opens to traffic in {capital}", e_lead="A new bridge opened to traffic in {capital} {d} "
           "after two years of construction."),
      dict(e_title="Eurovision entry chosen in national final", e_lead="Viewers and a jury chose {country}'s entry "
           "for the Eurovision Song Contest in a televised final {d}.", months=(2, 3)),
      dict(e_title="University rankings: {capital} schools climb", e_lead="Two universities in {capital} climbed in "
           "an international ranking published {d}, the education ministry said."))
_more("exercise", cap=3)
_more("scrambles", cap=2)
FAMILY = {f.key: f for f in FAMILIES}


# -- the schedule ---------------------------------------------------------------------------------

FIRST, LAST = date(2023, 1, 1), date(2025, 12, 12)
BASE_PER_FAMILY = 1.1  # background stories per unit of weight and month


def _poisson(w: Writer, mean: float) -> int:
    """Knuth's method; small means only."""
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= w.rng.random()
        if p <= limit:
            return k
        k += 1


def _time(w: Writer, story: Story) -> Story:
    story.hour, story.minute = w.between(7, 20), w.pick((0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55))
    return story


def _coverage(w: Writer, actor: str, n: int) -> list[str]:
    return w.some(HOME.get(actor, HOME["Baltic"]), n)


def schedule(w: Writer) -> list[Story]:
    stories: list[Story] = []
    for said, actor, kind, value, high, year, year_high, role, occasion, n in SPENDING:
        day = date.fromisoformat(said)
        for i, outlet in enumerate(_coverage(w, actor, n)):
            stories.append(_time(w, spending_story(w, day + timedelta(days=i // 2), actor, kind, value, high, year,
                                                   year_high, role, occasion, outlet)))
    for said, nation, size, unit, place, how in DEPLOYMENTS:
        day = date.fromisoformat(said)
        host = HOST.get(place, place if place in CAPITAL else "Poland")
        for outlet in _coverage(w, host, 1 if how == "policing" or w.chance(0.5) else 2):
            stories.append(_time(w, deployment_story(w, day, nation, size, unit, place, how, outlet)))
    for country, years in MIGRATION.items():
        previous = None
        for year, counts in years.items():
            for month, count in enumerate(counts, start=1):
                if count is None:
                    continue
                month_day = date(year, month, 1)
                report = (month_day + timedelta(days=32)).replace(day=w.between(2, 6))
                if report > LAST:
                    continue
                many = 1 + (count >= 2500) + (count >= 4000) + (w.chance(0.3))  # a record month is news everywhere
                for outlet in _coverage(w, country, many):
                    stories.append(_time(w, migration_story(w, report, country, month_day, count, previous, outlet)))
                previous = count
    month = FIRST
    while month <= LAST:
        days = [(month + timedelta(days=i)) for i in range(31) if (month + timedelta(days=i)).month == month.month
                and month + timedelta(days=i) <= LAST]
        for family in FAMILIES:
            mean = BASE_PER_FAMILY * (family.weight + family.peaks.get((month.year, month.month), 0.0))
            for _ in range(_poisson(w, mean)):
                day = w.pick(days)
                story = background_story(w, family, day, "wire")
                if story is None:
                    continue
                country = next((c for c in COUNTRIES if c in " ".join([story.title] + story.paragraphs[:1])), "Baltic")
                story.outlet = w.pick(HOME[country])
                stories.append(_time(w, story))
        month = (month + timedelta(days=32)).replace(day=1)
    stories = [s for s in stories if FIRST <= s.day <= LAST]
    stories.sort(key=lambda s: (s.local, s.title))
    copies = []
    for story in stories:  # the same wire story carried by a second outlet: the near-duplicates
        if story.outlet in ("bns", "wire") and w.chance(0.08):
            copies.append(wire_copy(w, story))
    return sorted(stories + copies, key=lambda s: (s.local, s.title))


def wire_copy(w: Writer, story: Story) -> Story:
    outlet = w.pick(("delfi", "tbt", "lrt") if story.outlet == "bns" else ("tbt", "lsm", "err"))
    paragraphs = list(story.paragraphs)
    if len(paragraphs) > 4:
        paragraphs.pop()  # copy desks cut from the end
    paragraphs[0] = paragraphs[0].replace(" said ", " told reporters ", 1) if w.chance(0.5) else paragraphs[0]
    source = OUTLETS[story.outlet].name.replace(" (demo)", "")
    paragraphs.append(f"This report is based on material from {source}.")
    title = w.pick(("UPDATE: ", "", "")) + story.title
    if not title.startswith("UPDATE"):
        words = story.title.split()
        title = " ".join(words[:-1] + [words[-1] + ", report says"]) if ":" not in story.title else story.title.split(": ", 1)[-1]
        title = title[0].upper() + title[1:]
    copy = Story(story.day, outlet, title, paragraphs, section=story.section, tags=story.tags,
                 hour=min(23, story.hour + w.between(1, 3)), minute=story.minute, copy_of=story)
    return copy


# -- the files ------------------------------------------------------------------------------------


def _rfc822(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"{WEEKDAYS[moment.weekday()][:3]}, {moment.day:02d} {MONTHS[moment.month - 1][:3]} {moment.year} " \
           f"{moment:%H:%M:%S} {offset}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def assign(w: Writer, stories: list[Story]) -> None:
    """Each story's format (its outlet's formats in turn), slug, URL and author."""
    turns: dict[str, int] = {}
    used: set[str] = set()
    for story in stories:
        outlet = OUTLETS[story.outlet]
        i = turns.get(outlet.key, 0)
        turns[outlet.key] = i + 1
        story.fmt = outlet.formats[(i + w.between(0, 1)) % len(outlet.formats)]
        slug = slugify(story.title)
        while f"{outlet.key}/{story.day}/{slug}" in used:
            slug += "-2"
        used.add(f"{outlet.key}/{story.day}/{slug}")
        story.slug = slug
        story.author = w.pick(outlet.authors)


def url(story: Story) -> str:
    o = OUTLETS[story.outlet]
    section = story.section.lower()
    return f"https://{o.host}/{section}/{story.day:%Y/%m/%d}/{story.slug}"


HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} | {site}</title>
  <meta name="description" content="{description}">
  <meta name="author" content="{author}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{site}">
  <meta property="og:url" content="{url}">
  <meta property="article:published_time" content="{published}">
  <meta property="article:section" content="{section}">
{tag_meta}  <link rel="canonical" href="{url}">
  <script type="application/ld+json">{jsonld}</script>
</head>
<body>
<header class="site-header"><a href="https://{host}/">{site}</a>
  <nav><ul><li><a href="https://{host}/news">News</a></li><li><a href="https://{host}/defence">Defence</a></li><li><a href="https://{host}/politics">Politics</a></li><li><a href="https://{host}/life">Life</a></li></ul></nav>
</header>
<div class="cookie-banner">This demo site uses no cookies. <button>OK</button></div>
<main>
  <article>
    <p class="section">{section}</p>
    <h1>{title}</h1>
    <p class="byline">By {author} · <time datetime="{published}">{shown}</time></p>
{body}
    <p class="tags">{tags}</p>
  </article>
  <aside class="related"><h2>Most read</h2><ul>{related}</ul></aside>
</main>
<footer><p>{site} is a demo copy written for the Flankwatch demo corpus; no text is taken from the outlet.</p></footer>
</body>
</html>
"""


def write_html(folder: Path, story: Story, earlier: list[Story]) -> None:
    o = OUTLETS[story.outlet]
    published = _iso(story.local)
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
                         "datePublished": published, "author": {"@type": "Person", "name": story.author},
                         "publisher": {"@type": "Organization", "name": o.name}}, ensure_ascii=False)
    related = "".join(f'<li><a href="{escape(url(s))}">{escape(s.title)}</a></li>' for s in earlier[-4:])
    page = HTML.format(
        title=escape(story.title), site=escape(o.name), description=escape(story.paragraphs[0][:150]),
        author=escape(story.author), url=escape(url(story)), published=published, section=escape(story.section),
        tag_meta="".join(f'  <meta property="article:tag" content="{escape(t)}">\n' for t in story.tags),
        jsonld=jsonld.replace("</", "<\\/"), host=o.host, shown=f"{story.local:%d.%m.%Y %H:%M}",
        body="\n".join(f"    <p>{escape(p)}</p>" for p in story.paragraphs),
        tags=" ".join(f"#{escape(t)}" for t in story.tags), related=related,
    )
    (folder / f"{o.key}-{story.day}-{story.slug[:48]}.html").write_text(page, encoding="utf-8")


def write_rss(path: Path, outlet: Outlet, stories: list[Story]) -> None:
    items = []
    for s in stories:
        body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in s.paragraphs)
        items.append(
            f"  <item>\n    <title>{escape(s.title, quote=False)}</title>\n    <link>{escape(url(s))}</link>\n"
            f"    <guid isPermaLink=\"true\">{escape(url(s))}</guid>\n    <pubDate>{_rfc822(s.local)}</pubDate>\n"
            f"    <dc:creator>{escape(s.author, quote=False)}</dc:creator>\n"
            + "".join(f"    <category>{escape(t)}</category>\n" for t in s.tags)
            + f"    <description><![CDATA[{body}]]></description>\n  </item>\n")
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f"<channel>\n  <title>{escape(outlet.name)}</title>\n  <link>https://{outlet.host}/</link>\n"
            f"  <description>Demo copy of {escape(outlet.name)} for the Flankwatch demo corpus</description>\n"
            f"  <language>en</language>\n  <lastBuildDate>{_rfc822(stories[-1].local)}</lastBuildDate>\n"
            + "".join(items) + "</channel>\n</rss>\n")
    path.write_text(text, encoding="utf-8")


def write_atom(path: Path, outlet: Outlet, stories: list[Story]) -> None:
    entries = []
    for s in stories:
        body = escape("".join(f"<p>{p}</p>" for p in s.paragraphs), quote=False)
        entries.append(
            f"  <entry>\n    <title>{escape(s.title, quote=False)}</title>\n"
            f"    <link rel=\"alternate\" type=\"text/html\" href=\"{escape(url(s))}\"/>\n    <id>{escape(url(s))}</id>\n"
            f"    <published>{_iso(s.local)}</published>\n    <updated>{_iso(s.local + timedelta(minutes=30))}</updated>\n"
            f"    <author><name>{escape(s.author, quote=False)}</name></author>\n"
            f"    <content type=\"html\">{body}</content>\n  </entry>\n")
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
            f"  <title>{escape(outlet.name)}</title>\n  <link href=\"https://{outlet.host}/\" rel=\"alternate\"/>\n"
            f"  <id>https://{outlet.host}/</id>\n  <updated>{_iso(stories[-1].local)}</updated>\n"
            + "".join(entries) + "</feed>\n")
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, stories: list[Story]) -> None:
    records = [{"title": s.title, "body": "\n\n".join(s.paragraphs), "published": _iso(s.local), "link": url(s),
                "outlet": OUTLETS[s.outlet].name, "author": s.author} for s in stories]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_jsonl(path: Path, stories: list[Story]) -> None:
    lines = [json.dumps({"headline": s.title, "text": "\n\n".join(s.paragraphs),
                         "date": _iso(s.local) if i % 3 else s.day.isoformat(), "url": url(s),
                         "source": OUTLETS[s.outlet].name, "byline": s.author}, ensure_ascii=False)
             for i, s in enumerate(stories)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_csv(path: Path, stories: list[Story]) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(("Title", "Content", "pubDate", "URL", "Outlet", "Author"))
    for s in stories:
        out.writerow((s.title, "\n\n".join(s.paragraphs), _rfc822(s.local), url(s), OUTLETS[s.outlet].name, s.author))
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_txt(folder: Path, story: Story) -> None:
    o = OUTLETS[story.outlet]
    text = (f"{story.title}\nPublished {story.day.day} {month_name(story.day)} {story.day.year}\nBy {story.author}\n"
            f"Source: {o.name}\n{url(story)}\n\n" + "\n\n".join(story.paragraphs) + "\n")
    (folder / f"{o.key}-{story.day}-{story.slug[:48]}.txt").write_text(text, encoding="utf-8")


def write_corpus(out: Path, stories: list[Story]) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    for sub in ("html", "pages", "feeds", "exports"):
        (out / sub).mkdir(parents=True)
    counts: dict[str, int] = {}
    grouped: dict[tuple[str, str, str], list[Story]] = {}
    for s in stories:
        counts[s.fmt] = counts.get(s.fmt, 0) + 1
        if s.fmt in ("rss", "atom"):
            key = (s.fmt, s.outlet, f"{s.day.year}q{(s.day.month - 1) // 3 + 1}")
        else:
            key = (s.fmt, s.outlet, str(s.day.year))
        grouped.setdefault(key, []).append(s)
    for (fmt, outlet_key, period), group in sorted(grouped.items()):
        outlet = OUTLETS[outlet_key]
        if fmt == "html":
            for i, s in enumerate(group):
                write_html(out / "html", s, group[max(0, i - 4):i])
        elif fmt == "txt":
            for s in group:
                write_txt(out / "pages", s)
        elif fmt == "rss":
            write_rss(out / "feeds" / f"{outlet_key}-{period}.rss", outlet, group)
        elif fmt == "atom":
            write_atom(out / "feeds" / f"{outlet_key}-{period}.atom", outlet, group)
        elif fmt == "json":
            write_json(out / "exports" / f"{outlet_key}-{period}.json", group)
        elif fmt == "jsonl":
            write_jsonl(out / "exports" / f"{outlet_key}-{period}.jsonl", group)
        elif fmt == "csv":
            write_csv(out / "exports" / f"{outlet_key}-{period}.csv", group)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to (re)write (default {OUT})")
    args = parser.parse_args(argv)
    w = Writer(SEED)
    stories = schedule(w)
    assign(w, stories)
    counts = write_corpus(args.out, stories)
    years: dict[int, int] = {}
    for s in stories:
        years[s.day.year] = years.get(s.day.year, 0) + 1
    print(f"{len(stories)} articles ({sum(1 for s in stories if s.copy_of)} wire copies) in {args.out}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(years.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
