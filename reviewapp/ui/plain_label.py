"""Labels for text the app does not write itself: names, answers, targets, plan items, server addresses.

Qt guesses whether a label's string is rich text (Qt::mightBeRichText), so a learner called "<b>x</b>" or a target
reading "<5 hours a week" would be drawn as markup, or vanish. Every label showing typed or record text is made
here, fixed to plain text; where a label needs markup around such text, the text goes through html.escape instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A label that always shows `text` literally, never as markup."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label
