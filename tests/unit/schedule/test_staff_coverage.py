"""The prefix index that hands staff their gminy, and the domain's shared grouping."""

from __future__ import annotations

from datetime import date

from domain.entities import Staff
from domain.schedule import LateAssignment, WorkCalendar, load_harmonogram, staff_alerts_due
from services.schedule_staff import _coverage
from tests.unit.schedule.support import at

GMINY = ["0201011", "0201022", "0263011", "0663011", "0662011", "1465011", "146501"]


def test_coverage_is_staff_covers_by_lookup() -> None:
    territories = [["02"], ["0201"], ["0663011"], ["PL"], ["06", "0663"], [""], [], ["14650"]]
    waiting = {f"s{i}": Staff(id=i, name="x", email="x@cm.example", territories=t)
               for i, t in enumerate(territories)}  # fmt: skip
    by_gmina = {g: [LateAssignment(g, date(2026, 4, 1))] for g in GMINY}
    covered = _coverage(waiting, by_gmina)
    for key, member in waiting.items():
        expected = {g: group for g, group in by_gmina.items() if member.covers(g)}
        assert covered[key] == expected, key
        assert list(covered[key]) == list(expected)  # in the gminy's order
        assert all(covered[key][g] is by_gmina[g] for g in expected)  # the same objects


def test_staff_sharing_gmina_groups_get_what_separate_groups_give() -> None:
    h = load_harmonogram(None)
    cal = WorkCalendar(h)
    d1, d3 = date(2026, 4, 1), date(2026, 4, 3)
    groups = {
        "0663011": [LateAssignment("a10", d1), LateAssignment("a2", d1)],
        "0662011": [LateAssignment("a3", d1), LateAssignment("a4", d3)],
    }
    now = at("2026-04-02 09:00")
    shared = staff_alerts_due({"s1": groups, "s2": dict(groups)}, now, cal, h, {})
    separate = [
        staff_alerts_due({key: {g: list(v) for g, v in groups.items()}}, now, cal, h, {})[0]
        for key in ("s1", "s2")
    ]
    assert shared == separate
    assert shared[0].reasons == ("new:a10", "new:a2", "new:a3")  # a4 is not late yet
    assert shared[0].late_by_gmina == (("0662011", ("a3",)), ("0663011", ("a10", "a2")))
