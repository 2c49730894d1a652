"""The alert rules (reviewapp/core/alerts.py) on a caseload built so each rule's answer is known."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewapp.core.alerts import (
    DEFAULT_ALERT_SETTINGS,
    AlertKind,
    AlertSettings,
    DraftFact,
    TargetFact,
    alert_settings_from_document,
    alerts_for,
    check_reason,
    without_dismissed,
)
from reviewapp.core.caseload import CaseloadFacts, caseload_rows
from tests.alert_scenario import CASES, TODAY, expected_alerts


def scenario_facts() -> tuple[list[CaseloadFacts], list[TargetFact], list[DraftFact]]:
    facts, targets, drafts = [], [], []
    for number, case in enumerate(CASES):
        learner_id = f"learner-{number}"
        last = max(case.reviews, default=None)
        facts.append(CaseloadFacts(
            learner_id=learner_id, name=case.name, uln="", employer="", programme="", level=None,
            start_date=case.start, learner_status=case.status, has_support_needs=False,
            last_review_date=last[0] if last else None, agreed_next_review_date=last[3] if last else None,
            welfare_rag=last[1] if last else None, progress_rag=last[2] if last else None,
            has_draft=bool(case.drafts), planned_end_date=case.planned_end, planned_otj_hours=case.planned_hours,
            otj_hours_logged=case.logged_hours))
        targets += [TargetFact(learner_id, f"{learner_id}-t{n}", text, due, status)
                    for n, (text, due, status) in enumerate(case.targets)]
        drafts += [DraftFact(learner_id, f"{learner_id}-d{n}", day) for n, day in enumerate(case.drafts)]
    return facts, targets, drafts


def scenario_alerts(settings: AlertSettings = DEFAULT_ALERT_SETTINGS):  # type: ignore[no-untyped-def]
    facts, targets, drafts = scenario_facts()
    return alerts_for(caseload_rows(facts, TODAY), targets, drafts, TODAY, settings)


def test_each_rule_gives_the_known_answer() -> None:
    assert sorted((a.learner_name, a.kind.value) for a in scenario_alerts()) == expected_alerts()


def test_the_targets_that_alert_are_the_past_due_unmet_ones() -> None:
    targets = [a for a in scenario_alerts() if a.kind is AlertKind.TARGET_PAST_DUE]
    assert [a.key for a in targets] == ["target_past_due:learner-7-t0", "target_past_due:learner-7-t2"]
    assert "Finish the food safety unit" in targets[0].detail and "20/11/2026" in targets[0].detail


def test_the_settings_move_the_thresholds() -> None:
    loose = AlertSettings(due_within_days=5, otj_behind_percent=50, draft_days=12)
    kinds = {(a.learner_name, a.kind.value) for a in scenario_alerts(loose)}
    assert ("Sam Soon", "review_not_booked") not in kinds  # due in 7 days, outside 5
    assert ("Hal Hours", "otj_behind") not in kinds  # 45% behind, within 50%
    assert ("Dee Draft", "draft_unfinished") not in kinds  # 11 days old, within 12
    tight = AlertSettings(otj_behind_percent=1, draft_days=3)
    kinds = {(a.learner_name, a.kind.value) for a in scenario_alerts(tight)}
    assert ("Oli Ontrack", "otj_behind") in kinds  # 3 hours of 183 behind: 1.6%
    assert sum(1 for name, kind in kinds if kind == "draft_unfinished") == 1  # one learner, two drafts
    assert len([a for a in scenario_alerts(tight) if a.kind is AlertKind.DRAFT_UNFINISHED]) == 2


def test_overdue_and_rating_are_urgent_and_say_why() -> None:
    alerts = {(a.learner_name, a.kind): a for a in scenario_alerts()}
    overdue = alerts[("Olu Overdue", AlertKind.REVIEW_OVERDUE)]
    assert overdue.urgent and overdue.detail == "Due on 27/10/2026, 35 days overdue"
    assert alerts[("Ray Red", AlertKind.RATING)].detail.startswith("Welfare was rated Red at the last review")
    assert not alerts[("Dee Draft", AlertKind.DRAFT_UNFINISHED)].urgent


def test_a_dismissal_hides_that_occurrence_only() -> None:
    alerts = scenario_alerts()
    overdue = next(a for a in alerts if a.kind is AlertKind.REVIEW_OVERDUE)
    left = without_dismissed(alerts, [overdue.identity])
    assert overdue not in left and len(left) == len(alerts) - 1
    assert overdue.key == "review_overdue:2026-10-27"  # the next time the review falls due is a new alert


def test_settings_documents_are_checked() -> None:
    assert alert_settings_from_document(None) == AlertSettings()
    assert alert_settings_from_document({"draft_days": 3}).draft_days == 3
    for bad in ({"draft_days": "3"}, {"due_within_days": -1}, {"otj_behind_percent": 101}, {"colour": 1}, []):
        with pytest.raises(ValueError):
            alert_settings_from_document(bad)


def test_a_reason_is_required() -> None:
    with pytest.raises(ValueError, match="Enter why"):
        check_reason("   ")
    assert check_reason("  Review booked   by phone ") == "Review booked by phone"
    with pytest.raises(ValueError):
        check_reason("x" * 1001)


def test_no_alert_before_the_first_review_limit() -> None:
    facts, _, _ = scenario_facts()
    nia = next(f for f in facts if f.name == "Nia New")
    early = dt.date(2026, 10, 20)
    kinds = {a.kind for a in alerts_for(caseload_rows([nia], early), [], [], early)}
    assert kinds == {AlertKind.REVIEW_NOT_BOOKED}
