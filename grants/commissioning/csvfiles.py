"""Reading evidence CSV files: every row checked, every problem named by line and column.

Two files are accepted (UTF-8, as Excel's "CSV UTF-8" saves them; a byte-order mark is fine):

- service use: ``service,period,area,ethnic_group,count``
- population baseline: ``area,ethnic_group,population``

The header must have exactly these columns (any order, any case). Blank lines are skipped.
Counts are whole numbers of 0 or more. A row may not repeat another row's service, period, area
and ethnic group (area and ethnic group, for population): two answers for one cell is a mistake
in the file, not something to guess about. One service and period (one area) uses one coding of
ethnic groups (:mod:`grants.commissioning.ethnicity`).

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
        where = f"Line {self.line}, column “{self.column}”" if self.column else f"Line {self.line}"
        return f"{where}: {self.message}"


class FileProblems(Refused):
    """A file that cannot be imported; ``problems`` lists what is wrong, line by line."""

    SHOWN = 5

    def __init__(self, problems: list[Problem], field: str | None = "file", stopped_at: int | None = None) -> None:
        self.problems = problems
        self.stopped_at = stopped_at
        count = len(problems)
        more = "" if count < MAX_PROBLEMS and not stopped_at else " or more"
        head = (f"The file has {count}{more} problem{'s' if count != 1 or more else ''}, so nothing was imported. "
                if count != 1 or more else "The file has a problem, so nothing was imported. ")
        if stopped_at:
            head += f"It was checked up to line {stopped_at:,}. "
        shown = " ".join(f"{problem}." if not str(problem).endswith(".") else str(problem)
                         for problem in problems[:self.SHOWN])
        rest = f" …and {count - self.SHOWN} more." if count > self.SHOWN else ""
        super().__init__(head + shown + rest, field=field)


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
                            detail.append("missing " + ", ".join(f"“{c}”" for c in missing))
                        if extra:
                            detail.append("not expected " + ", ".join(f"“{c}”" for c in extra))
                        if not detail:
                            detail.append("a column appears twice")
                        self.add(line, None, f"the first line must be the header {','.join(self.columns)} "
                                             f"(found “{found}”: {'; '.join(detail)})")
                        return
                    order = header
                    continue
                if len(record) != len(order):
                    self.add(line, None, f"expected {len(order)} values separated by commas, found {len(record)}")
                else:
                    yield line, dict(zip(order, record))
                if self.full:
                    return
                if self.problems and line - self.problems[0].line >= LOOK_AHEAD:
                    self.stopped_at = line
                    return
        except _NotUTF8 as error:
            self.add(error.line, None, "this is not UTF-8 text. Save the file as “CSV UTF-8 (comma "
                                       "delimited)” and upload it again")
            return
        except csv.Error as error:
            self.add(reader.line_num, None, f"the line cannot be read as CSV ({error})")
            return
        if header is None:
            self.add(1, None, f"the file is empty: it needs the header {','.join(self.columns)} and rows")

    def text(self, line: int, row: dict, column: str) -> str | None:
        value = _text(row[column])
        if not value:
            self.add(line, column, "this is empty")
            return None
        if len(value) > LIMITS[column]:
            self.add(line, column, f"this must be {LIMITS[column]} characters or fewer")
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
                self.add(line, column, f"“{shown}” is too large (the most is {MAX_COUNT:,})")
                return None
            return number
        if _NEGATIVE.match(value):
            self.add(line, column, f"“{shown}” is negative: counts must be 0 or more")
        elif not value:
            self.add(line, column, "this is empty: enter a whole number (0 if nobody)")
        else:
            self.add(line, column, f"“{shown}” is not a whole number")
        return None

    def coding(self, line: int, holder, coding: str, what: str, value: str) -> None:
        """One dataset (or area) uses one coding; "not stated" fits either."""
        if not coding:
            return
        if not holder.coding:
            holder.coding, holder.first_line = coding, line
        elif holder.coding != coding:
            names = {ethnicity.ONS: "ONS 2021 categories", ethnicity.NHS: "NHS letter codes"}
            self.add(line, "ethnic_group", f"“{value.strip()}” is in {names[coding]}, but line {holder.first_line} "
                                           f"for {what} uses {names[holder.coding]}: use one coding for {what}")


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
            reader.add(line, None, f"this row repeats line {seen[key]} (same service, period, area and ethnic group)")
            continue
        seen[key] = line
        dataset = datasets.setdefault((service, period), UsageDataset())
        reader.coding(line, dataset, coding, f"{service} in {period}", row["ethnic_group"])
        dataset.counts[(area, code)] = count
        rows += 1
    if not reader.problems and rows == 0:
        reader.add(2, None, "the file has a header but no rows")
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
            reader.add(line, None, f"this row repeats line {seen[(area, code)]} (same area and ethnic group)")
            continue
        seen[(area, code)] = line
        holder = areas.setdefault(area, AreaPopulation())
        reader.coding(line, holder, coding, area, row["ethnic_group"])
        holder.counts[code] = count
        rows += 1
    if not reader.problems and rows == 0:
        reader.add(2, None, "the file has a header but no rows")
    if reader.problems:
        raise FileProblems(reader.problems, stopped_at=reader.stopped_at)
    for holder in areas.values():
        holder.coding = holder.coding or ethnicity.ONS
    return PopulationFile(areas=areas, rows=rows)
