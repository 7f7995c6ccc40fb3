"""Representation ratios with 95 % intervals: who uses a service less than their share of the area.

For one service, period and area, and one ethnic group *g*:

- ``x``  people of group *g* who used the service; ``N_u`` users of every *stated* group;
- ``n``  people of group *g* living in the area;   ``N_p`` population of every stated group.

*User share* is ``x / N_u``, *population share* ``n / N_p`` and the **representation ratio** is
their quotient: 1 means the group uses the service in proportion to its size, 0.5 half as much.
"Not stated" users are left out of both totals and reported beside them.

The **95 % interval** is the log-ratio (Katz) interval for a ratio of two independent
proportions (Katz, Baptista, Azen and Pike, 1978)::

    SE(ln R) = sqrt(1/x − 1/N_u + 1/n − 1/N_p)
    interval = exp(ln R ± 1.959964 × SE)

When nobody from the group used the service (``x = 0``) the ratio is 0 and ``ln R`` does not
exist; the lower bound is then 0 and the upper bound is computed with 0.5 added to the group's
users and to the other users (so ``N_u`` gains 1), the usual Haldane–Anscombe correction. With
no population for the group (``n = 0``), or no users or population at all, there is no ratio.

A group **absent from the usage data** (no row for it, in that area) has *no data*: absent is
not zero, so it has no users, share or ratio, is never flagged, and its population is left out
of the population total the other groups' shares are taken of. A row with a count of 0 is zero.

A group is **under-served** when the whole interval lies below the threshold (default 0.8):
its upper bound is below it. Wide intervals (small groups) are therefore not flagged on a
handful of people; a large group clearly below its share is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

from grants.commissioning import ethnicity

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054
DEFAULT_THRESHOLD = 0.8
# The name of the all-areas row: a value (the gaps page's "area" choice), shown translated.
ALL_AREAS = "All areas"


@dataclass(frozen=True)
class Ratio:
    ratio: float
    ci_low: float
    ci_high: float


def representation_ratio(x: int, users_total: int, n: int, population_total: int, z: float = Z95) -> Ratio | None:
    """The ratio of ``x / users_total`` to ``n / population_total`` with its Katz interval."""
    if n <= 0 or users_total <= 0 or population_total <= 0:
        return None
    if x == 0:
        x_c, users_c = 0.5, users_total + 1
        ratio_c = (x_c / users_c) / (n / population_total)
        se = math.sqrt(1 / x_c - 1 / users_c + 1 / n - 1 / population_total)
        return Ratio(0.0, 0.0, math.exp(math.log(ratio_c) + z * se))
    ratio = (x / users_total) / (n / population_total)
    variance = 1 / x - 1 / users_total + 1 / n - 1 / population_total
    se = math.sqrt(max(variance, 0.0))  # 0 when the group is everybody on both sides
    log_ratio = math.log(ratio)
    return Ratio(ratio, math.exp(log_ratio - z * se), math.exp(log_ratio + z * se))


@dataclass(frozen=True)
class Gap:
    """One row of the gaps table: one service, period, area and ethnic group."""

    service: str
    period: str
    area: str
    ethnic_group: str
    users: int | None          # None: the usage data has no row for this group ("no data")
    population: int | None
    user_share: float | None
    population_share: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    under_served: bool

    @property
    def label(self) -> str:
        return ethnicity.label(self.ethnic_group)

    @property
    def no_data(self) -> bool:
        return self.users is None

    def as_json(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 4)

        return {"service": self.service, "period": self.period, "area": self.area,
                "ethnic_group": self.ethnic_group, "users": self.users, "population": self.population,
                "ratio": rounded(self.ratio), "ci_low": rounded(self.ci_low), "ci_high": rounded(self.ci_high),
                "under_served": self.under_served}


@dataclass(frozen=True)
class AreaGaps:
    """The gaps of one service, period and area, with the not-stated users reported beside them."""

    service: str
    period: str
    area: str
    coding: str
    users_stated: int
    users_not_stated: int
    population_stated: int
    population_not_stated: int
    gaps: list[Gap] = field(default_factory=list)

    @property
    def not_stated_percent(self) -> float | None:
        everyone = self.users_stated + self.users_not_stated
        return None if everyone == 0 else 100 * self.users_not_stated / everyone

    @property
    def under_served(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.under_served]


@dataclass(frozen=True)
class DatasetCounts:
    """Plain input: one service-use dataset's counts, keyed by (area, ethnic group code)."""

    service: str
    period: str
    coding: str
    counts: Mapping[tuple[str, str], int]


def fold_population(population: Mapping[str, int], coding: str) -> dict[str, int]:
    folded: dict[str, int] = defaultdict(int)
    for code, people in population.items():
        folded[ethnicity.fold_for(coding, code)] += people
    return dict(folded)


def area_gaps(service: str, period: str, area: str, coding: str, users: Mapping[str, int],
              population: Mapping[str, int], threshold: float = DEFAULT_THRESHOLD,
              no_data: Iterable[str] = ()) -> AreaGaps:
    """The gaps of one area: ``users`` and ``population`` map ethnic-group codes to counts.

    A group not in ``users`` (or named in ``no_data``) has no data, not zero users.
    """
    population = fold_population(population, coding)
    missing = set(no_data)
    stated_users = {code: count for code, count in users.items() if code != ethnicity.NOT_STATED}
    stated_population = {code: count for code, count in population.items() if code != ethnicity.NOT_STATED}
    missing |= set(stated_population) - set(stated_users)
    users_total = sum(count for code, count in stated_users.items() if code not in missing)
    population_total = sum(count for code, count in stated_population.items() if code not in missing)
    codes = sorted(set(stated_users) | set(stated_population), key=ethnicity.order)
    gaps = []
    for code in codes:
        n = stated_population.get(code)
        if code in missing:
            gaps.append(Gap(service=service, period=period, area=area, ethnic_group=code, users=None, population=n,
                            user_share=None, population_share=None, ratio=None, ci_low=None, ci_high=None,
                            under_served=False))
            continue
        x = stated_users[code]
        result = representation_ratio(x, users_total, n or 0, population_total)
        gaps.append(Gap(
            service=service, period=period, area=area, ethnic_group=code, users=x, population=n,
            user_share=x / users_total if users_total else None,
            population_share=(n / population_total) if (n is not None and population_total) else None,
            ratio=result.ratio if result else None, ci_low=result.ci_low if result else None,
            ci_high=result.ci_high if result else None,
            under_served=bool(result and result.ci_high < threshold),
        ))
    return AreaGaps(service=service, period=period, area=area, coding=coding, users_stated=users_total,
                    users_not_stated=users.get(ethnicity.NOT_STATED, 0), population_stated=population_total,
                    population_not_stated=population.get(ethnicity.NOT_STATED, 0), gaps=gaps)


def dataset_gaps(dataset: DatasetCounts, population: Mapping[str, Mapping[str, int]],
                 threshold: float = DEFAULT_THRESHOLD) -> list[AreaGaps]:
    """Every area of one dataset, in area order; ``population`` maps area → code → people."""
    by_area: dict[str, dict[str, int]] = defaultdict(dict)
    for (area, code), count in dataset.counts.items():
        by_area[area][code] = count
    return [area_gaps(dataset.service, dataset.period, area, dataset.coding, by_area[area],
                      population.get(area, {}), threshold)
            for area in sorted(by_area)]


def all_areas(dataset: DatasetCounts, population: Mapping[str, Mapping[str, int]],
              threshold: float = DEFAULT_THRESHOLD, label: str = ALL_AREAS) -> AreaGaps:
    """The dataset's areas added together (only areas that have a population baseline).

    A group absent from the usage data of an area where it lives has no data here: adding up
    only the areas that have it would compare part of its users with all of its population.
    """
    users: dict[str, int] = defaultdict(int)
    people: dict[str, int] = defaultdict(int)
    areas = {area for area, _code in dataset.counts} & set(population)
    present: dict[str, set[str]] = defaultdict(set)
    for (area, code), count in dataset.counts.items():
        if area in areas:
            users[code] += count
            present[code].add(area)
    for area in areas:
        for code, count in population[area].items():
            people[code] += count
    no_data = {ethnicity.fold_for(dataset.coding, code) for area in areas for code, count in population[area].items()
               if count > 0 and area not in present.get(ethnicity.fold_for(dataset.coding, code), set())}
    return area_gaps(dataset.service, dataset.period, label, dataset.coding, users, people, threshold, no_data)


def flatten(areas: Iterable[AreaGaps]) -> list[Gap]:
    return [gap for area in areas for gap in area.gaps]
