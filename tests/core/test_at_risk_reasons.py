"""The one at-risk rule gives its reasons: the flag is exactly "some reason", each reason in words, with the days
overdue and the off-the-job hours behind plan worked out alongside (issue 13, item 9)."""

import datetime as dt
import itertools

import pytest

from reviewapp.core.caseload import CaseloadFacts, caseload_rows

TODAY = dt.date(2026, 11, 23)


def _facts(**changes) -> CaseloadFacts:
    values = dict(learner_id="l1", name="Sam Taylor", uln="1234567890", employer="Acme", programme="Retail",
                  level=2, start_date=TODAY - dt.timedelta(days=100), learner_status="active",
                  has_support_needs=False, last_review_date=TODAY - dt.timedelta(days=20),
                  agreed_next_review_date=TODAY + dt.timedelta(days=30), welfare_rag="green", progress_rag="green")
    values.update(changes)
    return CaseloadFacts(**values)


@pytest.mark.parametrize(("welfare", "progress", "overdue"),
                         list(itertools.product(("red", "amber", "green", None), ("red", "amber", "green", None),
                                                (False, True))))
def test_at_risk_is_exactly_having_a_reason(welfare, progress, overdue):
    agreed = TODAY - dt.timedelta(days=9) if overdue else TODAY + dt.timedelta(days=30)
    (row,) = caseload_rows([_facts(welfare_rag=welfare, progress_rag=progress, agreed_next_review_date=agreed)],
                           TODAY)
    shorts = [reason.short for reason in row.risk_reasons]
    expected = ([f"Welfare {welfare.title()}"] if welfare in ("red", "amber") else []) \
        + ([f"Progress {progress.title()}"] if progress in ("red", "amber") else []) \
        + (["Overdue 9 days"] if overdue else [])
    assert shorts == expected
    assert row.at_risk == bool(expected)
    assert row.days_overdue == (9 if overdue else 0)
    for reason in row.risk_reasons:
        assert reason.full and reason.full[0].isupper()
    if overdue:
        assert "was due on 14/11/2026" in row.risk_reasons[-1].full


def test_one_day_overdue_is_singular():
    (row,) = caseload_rows([_facts(agreed_next_review_date=TODAY - dt.timedelta(days=1))], TODAY)
    assert [r.short for r in row.risk_reasons] == ["Overdue 1 day"]


def test_off_the_job_hours_behind_plan():
    start, end = TODAY - dt.timedelta(days=100), TODAY + dt.timedelta(days=100)
    rows = caseload_rows([
        _facts(start_date=start, planned_end_date=end, planned_otj_hours=400, otj_hours_logged=150.5),
        _facts(start_date=start, planned_end_date=end, planned_otj_hours=400, otj_hours_logged=260),
        _facts(start_date=start, planned_end_date=None, planned_otj_hours=400, otj_hours_logged=10),
        _facts(start_date=start, planned_end_date=end, planned_otj_hours=0, otj_hours_logged=0),
    ], TODAY)
    assert [r.otj_hours_behind for r in rows] == [49.5, 0, None, None]
    assert not any(r.at_risk for r in rows)  # behind on hours is shown, but is not one of the at-risk reasons
