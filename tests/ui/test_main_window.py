"""The main window driven as a user would: search, quick filters, sorting, selecting a learner, keyboard."""

import datetime as dt
from io import BytesIO

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import select

from reviewapp.core.dates import format_date
from reviewapp.core.templates import load_template
from reviewapp.reports.review_pdf import review_pdf
from reviewapp.store import queries, reviews
from reviewapp.store.models import Learner, PlanItem, Review, Target
from reviewapp.store.review_documents import load_review_document
from reviewapp.ui.caseload_model import ROW_ROLE, Column
from reviewapp.ui.print_options import PrintOptions
from reviewapp.ui.rows_model import KEY_ROLE
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import settle


def _shown(win, column):
    return [win.proxy.index(r, column).data() for r in range(win.proxy.rowCount())]


def _rows(win):
    return [win.proxy.index(r, 0).data(ROW_ROLE) for r in range(win.proxy.rowCount())]


def test_caseload_lists_every_learner(window, demo_store):
    with demo_store.read() as s:
        names = {ln.full_name for ln in s.scalars(select(Learner))}
    assert window.proxy.rowCount() == 40
    assert {r.facts.name for r in _rows(window)} == names
    assert window.count_label.text() == "40 learners"


def test_search_by_surname_uln_and_employer(window, qtbot):
    target = _rows(window)[5].facts
    surname = target.name.split()[-1]
    qtbot.keyClicks(window.search, surname)
    assert window.proxy.rowCount() >= 1
    assert all(surname.casefold() in r.facts.name.casefold() or surname.casefold() in r.facts.employer.casefold()
               for r in _rows(window))
    window.search.clear()
    qtbot.keyClicks(window.search, target.uln)
    assert [r.facts.uln for r in _rows(window)] == [target.uln]
    window.search.clear()
    qtbot.keyClicks(window.search, target.employer.upper())  # case does not matter
    assert _rows(window) and all(r.facts.employer == target.employer for r in _rows(window))
    assert window.count_label.text().startswith("Showing ")


def test_quick_filters_by_timing_and_risk(window, qtbot):
    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_overdue").click()
    overdue = _shown(window, Column.STATUS)
    assert overdue and set(overdue) == {"Overdue"}
    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_at_risk").click()
    at_risk = _rows(window)
    assert at_risk and all(r.at_risk for r in at_risk)
    assert any(r.facts.welfare_rag in ("red", "amber") for r in at_risk)
    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_all").click()
    assert window.proxy.rowCount() == 40


def test_rag_and_status_are_words_not_only_colours(window):
    welfare = set(_shown(window, Column.WELFARE))
    assert welfare <= {"Red", "Amber", "Green", "Not rated"}
    assert {"Red", "Amber"} & welfare
    assert set(_shown(window, Column.STATUS)) <= {"Overdue", "Due soon", "OK", "Not due"}
    assert "Not due" in set(_shown(window, Column.STATUS))  # the learner on a break in learning


def test_sorting_by_next_review_due(window):
    window.table.sortByColumn(Column.NEXT_DUE, Qt.SortOrder.AscendingOrder)
    dues = [r.next_review_due for r in _rows(window) if r.next_review_due]
    assert dues == sorted(dues)
    window.table.sortByColumn(Column.LEARNER, Qt.SortOrder.DescendingOrder)
    surnames = [r.facts.name.split()[-1].casefold() for r in _rows(window)]
    assert surnames == sorted(surnames, reverse=True)


def test_selecting_a_learner_shows_their_open_targets(window, qtbot, demo_store):
    row = next(i for i, r in enumerate(_rows(window)) if r.facts.last_review_date)
    learner_id = _rows(window)[row].facts.learner_id
    with qtbot.waitSignal(window.learner_shown, timeout=5000) as shown:
        window.table.selectRow(row)
    assert shown.args == [learner_id]
    with demo_store.read() as s:
        open_targets = s.scalars(
            select(Target).where(Target.learner_id == learner_id, Target.status == "open")
        ).all()
    panel = window.panel
    assert open_targets
    shown = sorted(panel.targets_model.column_values(0))
    assert [text.split("\n")[0] for text in shown] == sorted(t.text for t in open_targets)
    assert all(action in "".join(shown) for t in open_targets for action in t.actions)
    assert set(panel.targets_model.column_values(1)) == {format_date(t.due_date) for t in open_targets}
    assert panel.tabs.tabText(0) == f"Open targets ({len(open_targets)})"
    assert _rows(window)[row].facts.name in panel.heading.text()
    assert panel.reviews_model.rowCount() >= 1


def test_keyboard_reaches_search_filters_and_table(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.search
    qtbot.keyClick(window.search, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.proxy.quick_filter.value == "overdue", timeout=2000)  # shortcuts animate a click
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().isValid()
    for widget in (window.search, window.table, *window.filter_buttons.buttons()):
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
        assert widget.accessibleName(), widget.objectName()


def test_status_bar_counts_unsynced_changes(window, qtbot, demo_store):
    assert window.pending_label.text() == "All changes synced"
    with demo_store.write() as s:
        s.scalars(select(Learner)).first().phone = "07700 900123"
    with qtbot.waitSignal(window.caseload_loaded, timeout=5000):
        window.refresh()
    assert window.pending_label.text() == "1 change not yet synced"


def _select_learner_with_history(window, qtbot, minimum_reviews=1):
    for row, caseload_row in enumerate(_rows(window)):
        if caseload_row.facts.last_review_date and caseload_row.facts.learner_status == "active":
            with qtbot.waitSignal(window.learner_shown, timeout=5000):
                window.table.selectRow(row)
            if window.panel.reviews_model.rowCount() >= minimum_reviews:
                return caseload_row.facts
    pytest.fail("no learner with enough reviews in the demo caseload")


def test_start_review_opens_a_draft_and_starting_again_resumes_it(window, qtbot, demo_store):
    facts = _select_learner_with_history(window, qtbot)
    wizard = window.start_review()
    qtbot.addWidget(wizard)
    assert not wizard.read_only and wizard.learner_name == facts.name
    again = window.start_review()
    assert again is wizard
    with demo_store.read() as s:
        drafts = s.scalars(select(Review).where(Review.learner_id == facts.learner_id,
                                                Review.status == "draft")).all()
    assert [d.id for d in drafts] == [wizard.review_id]


def test_unfinished_drafts_are_offered_on_start(window, qtbot, demo_store):
    facts = _select_learner_with_history(window, qtbot)
    wizard = window.start_review()
    review_id = wizard.review_id
    wizard.close()
    offered = []
    window.choose_draft = lambda drafts: offered.extend(drafts) or drafts[0]
    resumed = window.offer_resume_drafts()
    qtbot.addWidget(resumed)
    assert [d.learner_name for d in offered] == [facts.name]
    assert resumed.review_id == review_id


def test_past_review_opens_read_only_from_the_history(window, qtbot):
    _select_learner_with_history(window, qtbot)
    view = window.panel.reviews_view
    view.setFocus()
    view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    wizard = window.open_selected_review()
    qtbot.addWidget(wizard)
    assert wizard.read_only


def test_compare_two_reviews_side_by_side(window, qtbot):
    _select_learner_with_history(window, qtbot, minimum_reviews=2)
    dialog = window.compare_reviews()
    qtbot.addWidget(dialog)
    labels = dialog.model.column_values(0)
    assert {"Visit date", "Progress", "Welfare", "Next review agreed"} <= set(labels)
    dates = dialog.model.index(0, 1).data(), dialog.model.index(0, 2).data()
    assert dates[0] != dates[1]
    as_dates = [dt.datetime.strptime(d, "%d/%m/%Y").date() for d in dates]
    assert as_dates[0] < as_dates[1]  # earlier review on the left


def test_compare_shows_each_plan_items_learning_gain_from_its_starting_point(window, qtbot, demo_store):
    """Each review's plan progress shows start → progress then, by the core rule (reviewapp.core.learning_gain)."""
    facts = _select_learner_with_history(window, qtbot, minimum_reviews=2)
    with demo_store.write() as session:
        items = session.scalars(select(PlanItem).where(PlanItem.learner_id == facts.learner_id)).all()
        for item in items:
            item.starting_value = 10
    dialog = window.compare_reviews()
    qtbot.addWidget(dialog)
    plan = [r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 0).data().startswith("Plan: ")]
    assert plan, "the demo learner's reviews hold no plan progress"
    for r in plan:
        for column in (1, 2):
            shown = dialog.model.index(r, column).data()
            if shown != "—":
                progress = int(shown.split("→ ")[1].split("%")[0])
                assert shown == f"10% → {progress}% ({progress - 10:+d})"


def test_compare_window_title_is_the_plain_learner_name(window, qtbot):
    """The title bar shows no markup: the name is taken from the panel's plain name, not its rich-text heading."""
    _select_learner_with_history(window, qtbot, minimum_reviews=2)
    dialog = window.compare_reviews()
    qtbot.addWidget(dialog)
    assert "<" not in dialog.windowTitle()
    assert dialog.windowTitle() == f"Compare reviews — {window.panel.learner_name}"
    assert window.panel.learner_name and "<" not in window.panel.learner_name


def test_addendum_is_a_signed_correction_linked_to_the_finalised_review(window, qtbot, demo_store):
    _select_learner_with_history(window, qtbot)
    view = window.panel.reviews_view
    view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    original_id = window.panel.reviews_model.index(0, 0).data(KEY_ROLE)
    with demo_store.read() as s:
        before = s.get(Review, original_id).content_hash
    wizard = window.add_addendum()
    qtbot.addWidget(wizard)
    with demo_store.read() as s:
        addendum = s.get(Review, wizard.review_id)
        assert addendum.addendum_to_id == original_id and addendum.status == "draft"
        assert addendum.template_id == "review-addendum"
        assert s.get(Review, original_id).content_hash == before
        learner_id = addendum.learner_id
        facts_before = next(f for f in queries.caseload_facts(s) if f.learner_id == learner_id)
        targets_before = {(t.id, t.status) for t in s.scalars(select(Target).where(Target.learner_id == learner_id))}
    assert "reference " + original_id[:8] in wizard.answers["corrects_review"]
    # With the addendum still a draft, "Start or resume a review" starts a progress review, not the addendum.
    review_wizard = window.start_review()
    qtbot.addWidget(review_wizard)
    assert review_wizard.review_id != wizard.review_id
    assert review_wizard.template.id == "apprenticeship-progress-review"
    # Answered, signed and finalised: a short signed correction that sets no targets and moves no review dates.
    reviews.save_answers(demo_store, addendum.id, {
        "corrected_part": "otj", "original_entry": "Off-the-job hours to date: 410",
        "correction": "Off-the-job hours to date: 140", "correction_reason": "Typed in the wrong order on site.",
    })
    for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
        reviews.save_signature(demo_store, addendum.id, role, name=name, image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
    reviews.finalise(demo_store, addendum.id, load_template("review-addendum"))
    with demo_store.read() as s:
        assert s.get(Review, addendum.id).status == "finalised"
        assert s.get(Review, original_id).content_hash == before
        facts_after = next(f for f in queries.caseload_facts(s) if f.learner_id == learner_id)
        assert (facts_after.last_review_date, facts_after.agreed_next_review_date) == (
            facts_before.last_review_date, facts_before.agreed_next_review_date)
        assert {(t.id, t.status) for t in s.scalars(select(Target).where(Target.learner_id == learner_id))} == (
            targets_before)
        document = load_review_document(s, addendum.id)
    with qtbot.waitSignal(window.learner_shown, timeout=10000):
        window.refresh()
    shown = [window.panel.reviews_model.index(row, 1).data() for row in range(window.panel.reviews_model.rowCount())]
    assert "Addendum, finalised" in shown
    text = " ".join("".join(page.extract_text() for page in PdfReader(BytesIO(review_pdf(document))).pages).split())
    assert "Addendum to a signed progress review" in text and "Off-the-job hours to date: 140" in text


def test_log_folder_opens_where_the_log_is_written(window, tmp_path, monkeypatch):
    import logging

    from reviewapp.logs import LOG_DIR_ENV, setup_logging

    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging()
        logging.getLogger("reviewapp.test").error("support can read this")
        opened = []
        window.open_url = opened.append
        folder = window.open_log_folder()
        assert folder == path.parent
        assert opened[0].toLocalFile() == str(folder)
        for handler in root.handlers:
            handler.flush()
        assert "support can read this" in path.read_text()
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()


def _deliveries(store):
    """(copy, channel) of every delivery recorded, sorted."""
    from sqlalchemy import select

    from reviewapp.store.models import Delivery

    with store.read() as session:
        return sorted((d.copy_for, d.channel) for d in session.scalars(select(Delivery)))


def _pdfs_under(folder):
    """Every PDF anywhere under a folder, found by content as well as by name."""
    return [p for p in folder.rglob("*") if p.is_file() and (p.suffix.lower() == ".pdf"
                                                             or p.read_bytes()[:5] == b"%PDF-")]


def test_printing_a_finalised_review_keeps_three_copies_in_the_store_and_prints_them(window, qtbot, demo_store,
                                                                                     tmp_path):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from reviewapp.store.saved_copies import copy_pdf

    facts = _select_learner_with_history(window, qtbot)
    window.panel.reviews_view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    printed = tmp_path / "printer-output.pdf"

    def to_file(dialog):  # the user picks a printer and presses Print; here the printer is a PDF file
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return True

    window.run_print_dialog = to_file
    offered = []

    def all_three(learner_name, parent):  # the options dialog, left as it opens: all three copies
        offered.append(learner_name)
        return PrintOptions(("learner", "employer", "provider"))

    window.choose_print_options = all_three
    ids = window.print_selected_review()
    qtbot.waitUntil(lambda: window.panel.copies_model.rowCount() == 3, timeout=5000)
    assert offered == [facts.name] and len(ids) == 3
    with demo_store.read() as session:
        kept = [copy_pdf(session, i) for i in ids]
    assert sorted(info.kind for info, _pdf in kept) == ["employer", "learner", "provider"]
    assert len(PdfReader(printed).pages) == sum(len(PdfReader(BytesIO(pdf)).pages) for _info, pdf in kept)
    assert _pdfs_under(demo_store.path.parent) == []  # printed and kept, but no plain file in the data folder
    assert window.panel.copies_model.rowCount() == 3 and window.panel.export_copy_button.isEnabled()
    assert _deliveries(demo_store) == [("employer", "saved"), ("learner", "saved"), ("provider", "saved")]

    # A reprint of the employer's copy alone, from the saved copies: the kept bytes, as handed out.
    row = next(r for r in range(3) if window.panel.copies_model.index(r, 1).data() == "Employer copy")
    window.panel.copies_view.selectRow(row)
    employer_pages = len(PdfReader(BytesIO(next(pdf for info, pdf in kept if info.kind == "employer"))).pages)
    assert window.print_saved_copy() == employer_pages == len(PdfReader(printed).pages)
    assert _deliveries(demo_store).count(("employer", "saved")) == 2  # handed over again
    viewer = window.open_saved_copy()
    qtbot.addWidget(viewer)
    assert viewer.pages() == employer_pages
    # Cancelled at the options: nothing kept, nothing printed. (The prints' refresh reloads the history: the
    # review is chosen again once that has arrived.)
    settle(qtbot, window)
    window.panel.reviews_view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    window.choose_print_options = lambda learner_name, parent: None
    assert window.print_selected_review() == []


def test_an_export_writes_exactly_the_chosen_file_after_the_warning(window, qtbot, demo_store, tmp_path):
    from reviewapp.store.saved_copies import EXPORT_WARNING, copy_pdf

    _select_learner_with_history(window, qtbot)
    window.panel.reviews_view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    window.run_print_dialog = lambda dialog: False  # kept, then the print dialog cancelled
    window.choose_print_options = lambda learner_name, parent: PrintOptions(("learner",))
    [copy_id] = window.print_selected_review()
    qtbot.waitUntil(lambda: window.panel.copies_model.rowCount() == 1, timeout=5000)
    assert _deliveries(demo_store) == []  # kept, but the print was cancelled: not handed over
    window.panel.copies_view.selectRow(0)
    stick = tmp_path / "usb"
    stick.mkdir()
    asked = []
    window.choose_export_path = lambda name: asked.append(name) or stick / "for-the-learner.pdf"
    assert window.export_saved_copy() == stick / "for-the-learner.pdf"
    with demo_store.read() as session:
        info, pdf = copy_pdf(session, copy_id)
    assert asked == [info.file_name] and info.file_name.endswith("-learner-copy.pdf")
    assert list(stick.iterdir()) == [stick / "for-the-learner.pdf"]
    assert (stick / "for-the-learner.pdf").read_bytes() == pdf
    assert _pdfs_under(demo_store.path.parent) == []
    assert "not protected" in window.statusBar().currentMessage() and "not protected" in EXPORT_WARNING
    assert _deliveries(demo_store) == [("learner", "saved")]  # saved as a PDF to hand over
    window.choose_export_path = lambda name: None  # the assessor stopped at the warning
    assert window.export_saved_copy() is None and len(list(stick.iterdir())) == 1


def _printer_to(path):
    from PySide6.QtPrintSupport import QPrinter

    def to_file(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(path))
        return True

    return to_file


def test_a_draft_prints_for_reading_only_and_leaves_no_file(window, qtbot, demo_store, tmp_path):
    from pypdf import PdfReader

    _select_learner_with_history(window, qtbot)
    wizard = window.start_review()
    qtbot.addWidget(wizard)
    assert wizard.print_draft_button.isVisibleTo(wizard) and not wizard.print_button.isVisibleTo(wizard)
    printed = tmp_path / "printer-output.pdf"
    window.run_print_dialog = _printer_to(printed)
    window.choose_print_options = lambda name, parent: pytest.fail("a draft is never offered as signed copies")
    errors = []
    window.show_error = lambda title, text: errors.append(text)
    assert window.print_review(wizard.review_id) == [] and "still a draft" in errors[0]
    with qtbot.waitSignal(wizard.print_reading_requested):
        wizard.print_draft_button.click()
    assert len(PdfReader(printed).pages) >= 3
    assert _pdfs_under(demo_store.path.parent) == []


def test_pre_visit_pack_is_kept_in_the_store_and_the_blank_form_only_printed(window, qtbot, demo_store,
                                                                              tmp_path):
    from pypdf import PdfReader

    from reviewapp.store.saved_copies import copy_pdf

    _select_learner_with_history(window, qtbot)
    printed = tmp_path / "printer-output.pdf"
    window.run_print_dialog = _printer_to(printed)
    copy_id = window.print_pre_visit_pack()
    with demo_store.read() as session:
        info, pack = copy_pdf(session, copy_id)
    assert info.kind == "pre-visit" and info.file_name == f"{DEMO_TODAY.isoformat()}-pre-visit-pack.pdf"
    assert "Pre-visit pack" in PdfReader(BytesIO(pack)).pages[0].extract_text()
    assert len(PdfReader(printed).pages) == len(PdfReader(BytesIO(pack)).pages)
    from reviewapp.reports.blank_form import blank_form_pdf

    form = blank_form_pdf(load_template("apprenticeship-progress-review"))
    assert window.print_blank_form() == len(PdfReader(printed).pages) == len(PdfReader(BytesIO(form)).pages) > 3
    assert _pdfs_under(demo_store.path.parent) == []


def test_provider_settings_set_the_schedule_and_the_printed_name(window, qtbot, demo_store):
    from reviewapp.core.documents import ReportSettings
    from reviewapp.core.scheduling import Interval
    from reviewapp.store.review_documents import report_settings
    from reviewapp.store.settings import schedule_rules
    from reviewapp.ui.provider_settings import ProviderSettings, ProviderSettingsDialog

    dialog = ProviderSettingsDialog(ProviderSettings(ReportSettings(), window.rules))
    qtbot.addWidget(dialog)
    dialog.interval.count.setValue(4)
    dialog.short.count.setValue(6)  # sooner may not be longer than usual: Save is refused, with the reason
    assert not dialog.buttons.buttons()[0].isEnabled() and "cannot be longer" in dialog.problem.text()
    dialog.short.count.setValue(3)
    dialog.name.setText("Northfield Training Ltd")
    chosen = dialog.settings()
    assert (chosen.rules.max_interval, chosen.rules.short_interval) == (Interval.weeks(4), Interval.weeks(3))

    overdue_before = sum(r.timing.value == "overdue" for r in _rows(window))
    window.choose_provider_settings = lambda current: chosen
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        window.open_provider_settings()
    assert sum(r.timing.value == "overdue" for r in _rows(window)) > overdue_before  # 4 weeks apart, not 8
    assert schedule_rules(demo_store) == chosen.rules
    with demo_store.read() as session:
        assert report_settings(session).provider_name == "Northfield Training Ltd"


def test_a_mistaken_draft_is_discarded_after_asking_and_never_offered_again(window, qtbot, demo_store):
    _select_learner_with_history(window, qtbot)
    wizard = window.start_review()
    qtbot.addWidget(wizard)
    draft_id = wizard.review_id
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.refresh()
    model = window.panel.reviews_model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data(KEY_ROLE) == draft_id)
    window.panel.reviews_view.setCurrentIndex(model.index(row, 0))
    asked: list[str] = []
    window.confirm = lambda title, text: asked.append(text) or False
    assert not window.discard_selected_draft()  # said no: nothing happens
    with demo_store.read() as s:
        assert s.get(Review, draft_id).status == "draft"
    window.confirm = lambda title, text: asked.append(text) or True
    assert window.discard_selected_draft()
    assert "cannot be undone" in asked[0] and not wizard.isVisible() and draft_id not in window.wizards
    with demo_store.read() as s:
        review = s.get(Review, draft_id)
        assert (review.status, review.void_reason) == ("void", "Discarded draft")
        assert draft_id not in [d.review_id for d in reviews.open_drafts(s)]
    window.choose_draft = lambda drafts: pytest.fail("a discarded draft was offered")
    assert window.offer_resume_drafts() is None


def test_a_finalised_review_cannot_be_discarded_from_the_window(window, qtbot, demo_store):
    _select_learner_with_history(window, qtbot)
    window.panel.reviews_view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    review_id = window.panel.reviews_model.index(0, 0).data(KEY_ROLE)
    shown: list[str] = []
    window.show_info = lambda title, text: shown.append(text)
    window.confirm = lambda title, text: pytest.fail("asked to discard a finalised review")
    assert not window.discard_selected_draft()
    assert shown and "Only a draft can be discarded" in shown[0]
    with demo_store.read() as s:
        assert s.get(Review, review_id).status == "finalised"


def test_ctrl_o_with_nothing_selected_asks_for_a_learner(window, qtbot):
    """Before any learner is chosen there is no history, so the hint must name the caseload, not the history."""
    shown: list[tuple[str, str]] = []
    window.show_info = lambda title, text: shown.append((title, text))
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert shown == [("Open a review", "Select a learner in the caseload first.")]
    assert window.print_selected_review() == []
    assert shown[-1] == ("Print a review", "Select a learner in the caseload first.")


def test_ctrl_o_opens_a_learners_only_review_without_a_second_choice(window, qtbot):
    for row, caseload_row in enumerate(_rows(window)):
        if caseload_row.facts.last_review_date:
            with qtbot.waitSignal(window.learner_shown, timeout=5000):
                window.table.selectRow(row)
            if window.panel.reviews_model.rowCount() == 1:
                break
    else:
        pytest.skip("no learner with exactly one review in the demo caseload")
    window.show_info = lambda title, text: pytest.fail(f"asked to choose: {text}")
    window.open_selected_review()
    (wizard,) = window.wizards.values()
    qtbot.addWidget(wizard)
    assert wizard.review_id == window.panel.reviews_model.index(0, 0).data(KEY_ROLE)
    assert wizard.read_only


def test_each_print_dialog_is_titled_for_what_it_prints(window, qtbot, tmp_path):
    """One fixed "Print review copies" misnamed the pre-visit pack and the blank form."""
    titles: list[str] = []
    window.run_print_dialog = lambda dialog: titles.append(dialog.windowTitle()) or False
    _select_learner_with_history(window, qtbot)
    window.print_pre_visit_pack()
    window.print_blank_form()
    window.panel.reviews_view.setCurrentIndex(window.panel.reviews_model.index(0, 0))
    window.choose_print_options = lambda name, parent: PrintOptions(copies=("learner",))
    window.print_selected_review()
    assert titles == ["Print the pre-visit pack", "Print a blank paper review form", "Print signed review copies"]


def _help_action(window, text):
    (action,) = [a for a in window.help_menu.actions() if a.text().replace("&", "") == text]
    return action


def test_help_has_about_with_the_running_version_and_a_getting_started_guide(window):
    """Help had only "Open log folder": support asks first for the version, a new assessor for where to begin."""
    import re

    from PySide6.QtGui import QAction, QKeySequence

    import reviewapp

    shown: list[tuple[str, str]] = []
    window.show_info = lambda title, text: shown.append((title, text))
    _help_action(window, "About ReviewApp").trigger()
    assert shown[-1][0] == "About ReviewApp" and reviewapp.__version__ in shown[-1][1]
    _help_action(window, "Getting started").trigger()
    title, guide = shown[-1]
    assert title == "Getting started" and "Ctrl+N" in guide and "Finalise" in guide
    keys = {a.shortcut().toString(QKeySequence.SequenceFormat.PortableText) for a in window.findChildren(QAction)}
    named = set(re.findall(r"(?:Ctrl|Alt)\+(?:Shift\+)?\w", guide)) - {"Ctrl+Shift+S"}  # Sync's own menu
    assert named and named <= keys, named - keys  # the guide names only keys the window really has


def test_search_then_down_chooses_the_first_match_so_a_review_starts_from_the_keyboard(window, qtbot):
    """Search, Down, Ctrl+N: the walkthrough found no keyboard path from the search box to a learner."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    target = _rows(window)[7].facts
    window.search.setFocus()
    qtbot.keyClicks(window.search, target.uln)
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.focusWidget() is window.table
    assert window._selected_learner == target.learner_id
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # Enter does the same, keeping the choice
    assert window.focusWidget() is window.table and window._selected_learner == target.learner_id
