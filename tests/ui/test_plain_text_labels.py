"""Typed and record text (names, targets, plan items, server addresses) is shown literally, never as markup.

Qt guesses rich text from a string that looks like HTML, so a target typed as "<b>x</b>" would show a bold "x".
"""

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.ui.print_options import PrintOptionsDialog
from reviewapp.ui.review_compare import ReviewComparison
from reviewapp.ui.sync_dialogs import LoginDialog
from reviewapp.ui.wizard.editors import PlanProgressEditor, PreviousTargetsEditor
from sync.protocol import PlanItemData, ReviewData, TargetData

TEMPLATE = load_template("apprenticeship-progress-review")
MARKUP = "<b>x</b>"


def _question(kind):
    return next(q for s in TEMPLATE.sections for q in s.questions if q.type == kind)


def _shown(label: QLabel) -> str:
    """The characters the label draws: its text if plain, the text Qt renders from it if rich."""
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(label.text()))
    if not rich:
        return label.text()
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def _labels_showing(widget, needle):
    return [lb for lb in widget.findChildren(QLabel) if needle in _shown(lb)]


def test_a_previous_target_typed_as_markup_shows_literally(qtbot):
    target = TargetData(learner_id="l1", text=MARKUP)
    editor = PreviousTargetsEditor(_question("previous_targets"), ReviewContext(review_id="r1",
                                                                                open_targets={"t1": target}))
    qtbot.addWidget(editor)
    assert _labels_showing(editor, MARKUP)


def test_a_plan_item_titled_as_markup_shows_literally(qtbot):
    item = PlanItemData(learner_id="l1", code="U1", title=MARKUP)
    editor = PlanProgressEditor(_question("plan_progress_grid"), ReviewContext(review_id="r1",
                                                                               plan_items={"p1": item}))
    qtbot.addWidget(editor)
    labels = _labels_showing(editor, MARKUP)
    assert labels and all(lb.textFormat() == Qt.TextFormat.PlainText for lb in labels)


def test_a_learner_named_as_markup_shows_literally_when_printing_and_comparing(qtbot):
    dialog = PrintOptionsDialog(MARKUP)
    qtbot.addWidget(dialog)
    assert _labels_showing(dialog, MARKUP)
    review = ReviewData(learner_id="l1", template_id=TEMPLATE.id, template_version=TEMPLATE.version)
    comparison = ReviewComparison(MARKUP, review, review, [])
    qtbot.addWidget(comparison)
    assert _labels_showing(comparison, MARKUP)
    assert "<" not in comparison.windowTitle().replace(MARKUP, "")


def test_a_server_address_shows_literally_when_signing_in(qtbot):
    address = "https://<b>reviews</b>.example.ac.uk"
    dialog = LoginDialog(address, "sam")
    qtbot.addWidget(dialog)
    assert _labels_showing(dialog, address)
