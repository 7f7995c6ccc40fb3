"""Reverse commissioning: from evidence of who is under-served to "you said, we did".

Glossary
- *service-use dataset*: the counts of people who used one service in one period, by area and
  ethnic group (``service,period,area,ethnic_group,count``). Re-importing the same service and
  period replaces its counts; the dataset keeps its id, so cycles and needs that point at it
  keep pointing at it.
- *population baseline*: people living in each area by ethnic group
  (``area,ethnic_group,population``); re-importing an area replaces it.
- *gap*: for one service, period, area and ethnic group, the group's share of the service's users
  against its share of the population: the *representation ratio* with a 95 % interval
  (:mod:`grants.commissioning.stats`). A group is *under-served* when the whole interval is below
  the collective's threshold (default 0.8).
- *commissioning cycle*: one turn of the ``commissioning`` workflow for a collective ("2027
  community health"): evidence → engagement → needs → priorities → commissioned → delivered →
  loop closed.
- *engagement event*: a workshop, fair, consultation or faith-group session hosted by community
  partners (organisations of the collective), with the feedback heard there.
- *need* ("you said"): a statement in the community's own words, supported by gaps and feedback.
- *priority*: a need the partnership (a reviewer) has agreed to act on, linked to themes.
- *we did*: what was done about a priority, with the people reached by community; published
  on the public "You said, we did" page through disclosure control (:mod:`grants.disclosure`).
  Written by a facilitator, and gathered from the grants of the round the cycle chose that
  answer the priority (its themes), from their accepted reports (:mod:`.delivery`).

Modules: ``ethnicity`` (the codings the CSV files may use), ``csvfiles`` (parsing, pure),
``stats`` (ratios and intervals, pure), ``models``, ``operations`` (the only code that changes
these rows), ``queries``, ``permissions``, ``forms``, ``routes``, ``charts``, ``report`` (the
needs-analysis PDF), ``cli``, ``links`` (how the workflow learns a cycle's round and whether it has
closed), ``delivery`` (the round a cycle chose, the priorities a round answers, and what its grants'
accepted reports say was done) and ``demo``.
"""
