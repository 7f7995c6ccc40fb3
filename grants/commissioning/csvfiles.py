"""Reading evidence CSV files: every row checked, every problem named by line and column.

Two files are accepted (UTF-8, as Excel's "CSV UTF-8" saves them; a byte-order mark is fine):

- service use: ``service,period,area,ethnic_group,count``
- population baseline: ``area,ethnic_group,population``

The header must have exactly these columns (any order, any case). Blank lines are skipped.
Counts are whole numbers of 0 or more. A row may not repeat another row's service, period, area
and ethnic group (area and ethnic group, for population): two answers for one cell is a mistake
in the file, not something to guess about. One service and period (one area) uses one coding of
ethnic groups (:mod:`grants.commissioning.ethnicity`).

Problems are written in the language of whoever imports the file (the page's; the worker's is the
uploader's), each naming its line: "Line 12, column “count”: …".

Reading is pure: it returns plain values or raises :class:`FileProblems` listing up to
:data:`MAX_PROBLEMS` problems, so that an import is all-or-nothing. Once a line is wrong the file
will be refused, so reading stops :data:`LOOK_AHEAD` lines after the first problem (a 20 MB file
wrong on its second line is refused at once, not after every other line is checked), with the
line it got to in the message.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import gettext as _, ngettext

from grants.commissioning import ethnicity
from grants.errors import Refused

USAGE_COLUMNS = ("service", "period", "area", "ethnic_group", "count")
POPULATION_COLUMNS = ("area", "ethnic_group", "population")
MAX_PROBLEMS = 100
LOOK_AHEAD = 1000
MAX_COUNT = 1_000_000_000
LIMITS = {"service": 120, "period": 40, "area": 120}
_WHOLE = re.compile(r"^[0-9]+$")
_NEGATIVE = re.compile(r"^-\s*[0-9]+(\.[0-9]*)?$")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Line %(line)s, column “%(column)s”: %(problem)s", line=self.line, column=self.column,
                     problem=self.message)
        return _("Line %(line)s: %(problem)s", line=self.line, problem=self.message)


class FileProblems(Refused):
    """A file that cannot be imported; ``problems`` lists what is wrong, line by line."""

    SHOWN = 5

    def __init__(self, problems: list[Problem], field: str | None = "file", stopped_at: int | None = None) -> None:
        self.problems = problems
        self.stopped_at = stopped_at
        count = len(problems)
        if count >= MAX_PROBLEMS or stopped_at:
            head = _("The file has %(num)s or more problems, so nothing was imported.", num=count)
        elif count == 1:
            head = _("The file has a problem, so nothing was imported.")
        else:
            head = ngettext("The file has %(num)d problem, so nothing was imported.",
                            "The file has %(num)d problems, so nothing was imported.", count)
        sentences = [head]
        if stopped_at:
            sentences.append(_("It was checked up to line %(line)s.", line=f"{stopped_at:,}"))
        sentences.extend(f"{problem}." if not str(problem).endswith(".") else str(problem)
                         for problem in problems[:self.SHOWN])
        text = " ".join(sentences)
        if count > self.SHOWN:
            text += " " + _("…and %(num)s more.", num=count - self.SHOWN)
        super().__init__(text, field=field)


@dataclass
class UsageDataset:
    coding: str = ""
    first_line: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class UsageFile:
    datasets: dict[tuple[str, str], UsageDataset]
    rows: int

    @property
    def services(self) -> list[str]:
        return sorted({service for service, _period in self.datasets})

    @property
    def periods(self) -> list[str]:
        return sorted({period for _service, period in self.datasets})


@dataclass
class AreaPopulation:
    coding: str = ""
    first_line: int = 0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class PopulationFile:
    areas: dict[str, AreaPopulation]
    rows: int


class _NotUTF8(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _decoded_lines(stream: BinaryIO):
    """The file's lines as text, decoded one by one so a bad byte is reported on its own line."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotUTF8(number) from None


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip())


class _Reader:
    """The shared walk over a file: header, row shape, text limits, groups, counts."""

    def __init__(self, stream: BinaryIO, columns: tuple[str, ...]) -> None:
        self.stream = stream
        self.columns = columns
        self.problems: list[Problem] = []
        self.stopped_at: int | None = None

    def add(self, line: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(line, column, message))

    @property
    def full(self) -> bool:
        return len(self.problems) >= MAX_PROBLEMS

    def rows(self):
        """Yield ``(line, {column: value})`` for each data row that has the right shape."""
        reader = csv.reader(_decoded_lines(self.stream))
        header: list[str] | None = None
        order: list[str] = []
        try:
            for record in reader:
                line = reader.line_num
                if not any(value.strip() for value in record):
                    continue
                if header is None:
                    header = [value.strip().lower() for value in record]
                    missing = [c for c in self.columns if c not in header]
                    extra = [c for c in header if c not in self.columns]
                    if missing or extra or len(header) != len(self.columns):
                        found = ",".join(value.strip() for value in record)[:200]
                        detail = []
                        if missing:
                            detail.append(_("missing %(columns)s", columns=", ".join(f"“{c}”" for c in missing)))
                        if extra:
                            detail.append(_("not expected %(columns)s", columns=", ".join(f"“{c}”" for c in extra)))
                        if not detail:
                            detail.append(_("a column appears twice"))
                        self.add(line, None, _("the first line must be the header %(header)s (found “%(found)s”: "
                                               "%(detail)s)", header=",".join(self.columns), found=found,
                                               detail="; ".join(detail)))
                        return
                    order = header
                    continue
                if len(record) != len(order):
                    self.add(line, None, _("expected %(expected)s values separated by commas, found %(found)s",
                                           expected=len(order), found=len(record)))
                else:
                    yield line, dict(zip(order, record))
                if self.full:
                    return
                if self.problems and line - self.problems[0].line >= LOOK_AHEAD:
                    self.stopped_at = line
                    return
        except _NotUTF8 as error:
            self.add(error.line, None, _("this is not UTF-8 text. Save the file as “CSV UTF-8 (comma "
                                         "delimited)” and upload it again"))
            return
        except csv.Error as error:
            self.add(reader.line_num, None, _("the line cannot be read as CSV (%(error)s)", error=error))
            return
        if header is None:
            self.add(1, None, _("the file is empty: it needs the header %(header)s and rows",
                                header=",".join(self.columns)))

    def text(self, line: int, row: dict, column: str) -> str | None:
        value = _text(row[column])
        if not value:
            self.add(line, column, _("this is empty"))
            return None
        if len(value) > LIMITS[column]:
            self.add(line, column, _("this must be %(limit)s characters or fewer", limit=LIMITS[column]))
            return None
        return value

    def group(self, line: int, row: dict) -> tuple[str, str] | None:
        try:
            return ethnicity.parse(row["ethnic_group"])
        except ethnicity.UnknownGroup as error:
            self.add(line, "ethnic_group", str(error))
            return None

    def count(self, line: int, row: dict, column: str) -> int | None:
        value = row[column].strip()
        shown = value if len(value) <= 30 else value[:27] + "…"
        if _WHOLE.match(value):
            number = int(value)
            if number > MAX_COUNT:
                self.add(line, column, _("“%(value)s” is too large (the most is %(most)s)", value=shown,
                                         most=f"{MAX_COUNT:,}"))
                return None
            return number
        if _NEGATIVE.match(value):
            self.add(line, column, _("“%(value)s” is negative: counts must be 0 or more", value=shown))
        elif not value:
            self.add(line, column, _("this is empty: enter a whole number (0 if nobody)"))
        else:
            self.add(line, column, _("“%(value)s” is not a whole number", value=shown))
        return None

    def coding(self, line: int, holder, coding: str, what: str, value: str) -> None:
        """One dataset (or area) uses one coding; "not stated" fits either. ``what`` names the dataset
        or area (already in the page's language)."""
        if not coding:
            return
        if not holder.coding:
            holder.coding, holder.first_line = coding, line
        elif holder.coding != coding:
            names = {ethnicity.ONS: _("ONS 2021 categories"), ethnicity.NHS: _("NHS letter codes")}
            self.add(line, "ethnic_group", _("“%(value)s” is in %(coding)s, but line %(first)s for %(what)s uses "
                                             "%(other)s: use one coding for %(what)s", value=value.strip(),
                                             coding=names[coding], first=holder.first_line, what=what,
                                             other=names[holder.coding]))


def read_usage(stream: BinaryIO) -> UsageFile:
    """Read a service-use file; raise :class:`FileProblems` if anything in it is wrong."""
    reader = _Reader(stream, USAGE_COLUMNS)
    datasets: dict[tuple[str, str], UsageDataset] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    rows = 0
    for line, row in reader.rows():
        service, period, area = (reader.text(line, row, c) for c in ("service", "period", "area"))
        group = reader.group(line, row)
        count = reader.count(line, row, "count")
        if None in (service, period, area, group, count):
            continue
        code, coding = group
        key = (service, period, area, code)
        if key in seen:
            reader.add(line, None, _("this row repeats line %(first)s (same service, period, area and ethnic group)",
                                     first=seen[key]))
            continue
        seen[key] = line
        dataset = datasets.setdefault((service, period), UsageDataset())
        reader.coding(line, dataset, coding, _("%(service)s in %(period)s", service=service, period=period),
                      row["ethnic_group"])
        dataset.counts[(area, code)] = count
        rows += 1
    if not reader.problems and rows == 0:
        reader.add(2, None, _("the file has a header but no rows"))
    if reader.problems:
        raise FileProblems(reader.problems, stopped_at=reader.stopped_at)
    for dataset in datasets.values():
        dataset.coding = dataset.coding or ethnicity.ONS
    return UsageFile(datasets=datasets, rows=rows)


def read_population(stream: BinaryIO) -> PopulationFile:
    """Read a population baseline file; raise :class:`FileProblems` if anything in it is wrong."""
    reader = _Reader(stream, POPULATION_COLUMNS)
    areas: dict[str, AreaPopulation] = {}
    seen: dict[tuple[str, str], int] = {}
    rows = 0
    for line, row in reader.rows():
        area = reader.text(line, row, "area")
        group = reader.group(line, row)
        count = reader.count(line, row, "population")
        if None in (area, group, count):
            continue
        code, coding = group
        if (area, code) in seen:
            reader.add(line, None, _("this row repeats line %(first)s (same area and ethnic group)",
                                     first=seen[(area, code)]))
            continue
        seen[(area, code)] = line
        holder = areas.setdefault(area, AreaPopulation())
        reader.coding(line, holder, coding, area, row["ethnic_group"])
        holder.counts[code] = count
        rows += 1
    if not reader.problems and rows == 0:
        reader.add(2, None, _("the file has a header but no rows"))
    if reader.problems:
        raise FileProblems(reader.problems, stopped_at=reader.stopped_at)
    for holder in areas.values():
        holder.coding = holder.coding or ethnicity.ONS
    return PopulationFile(areas=areas, rows=rows)
