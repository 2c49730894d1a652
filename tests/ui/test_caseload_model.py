"""The caseload model sorts and filters in Python (for speed); the order and rows shown are those Qt's own
QSortFilterProxyModel gives, and the selection survives sorting and a filter that still shows it."""

import pytest
from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt

from reviewapp.core.caseload import caseload_rows
from reviewapp.store import queries
from reviewapp.ui.caseload_model import ROW_ROLE, SORT_ROLE, CaseloadFilterProxy, CaseloadModel, Column, QuickFilter
from tests.conftest import DEMO_TODAY


@pytest.fixture
def rows(demo_store):
    with demo_store.read() as session:
        return caseload_rows(queries.caseload_facts(session), DEMO_TODAY)


def _ids(model) -> list[str]:
    return [model.index(r, 0).data(ROW_ROLE).facts.learner_id for r in range(model.rowCount())]


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
@pytest.mark.parametrize("column", range(len(Column.HEADERS)))
def test_order_matches_qt_sorting_from_the_loaded_order(qapp, rows, column, order):
    reference_model = CaseloadModel()
    reference_model.set_rows(rows)
    reference = QSortFilterProxyModel()
    reference.setSortRole(SORT_ROLE)
    reference.setSourceModel(reference_model)
    reference.sort(column, order)

    model = CaseloadModel()
    proxy = CaseloadFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(Column.NEXT_DUE, Qt.SortOrder.DescendingOrder)  # an earlier sort must not change ties' order
    model.set_rows(rows)
    proxy.sort(column, order)
    assert _ids(proxy) == _ids(reference)


def test_filter_and_sort_keep_the_selection_and_every_row_comes_back(qapp, rows):
    model = CaseloadModel()
    proxy = CaseloadFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows(rows)
    selection = QItemSelectionModel(proxy)
    chosen = rows[len(rows) // 2]
    row = _ids(proxy).index(chosen.facts.learner_id)
    selection.setCurrentIndex(proxy.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    proxy.set_search(chosen.facts.name.split(" ")[-1][:3])
    assert chosen.facts.learner_id in _ids(proxy) and proxy.rowCount() < len(rows)
    proxy.sort(Column.LEARNER, Qt.SortOrder.DescendingOrder)
    assert selection.currentIndex().data(ROW_ROLE).facts.learner_id == chosen.facts.learner_id
    proxy.set_quick_filter(QuickFilter.OVERDUE)
    assert all(proxy.index(r, 0).data(ROW_ROLE).timing.value == "overdue" for r in range(proxy.rowCount()))
    proxy.set_quick_filter(QuickFilter.ALL)
    proxy.set_search("")
    assert sorted(_ids(proxy)) == sorted(r.facts.learner_id for r in rows)
