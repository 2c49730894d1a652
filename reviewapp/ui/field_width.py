"""Text fields wide enough to show what they are for, whole.

A line edit asks Qt for room for some seventeen characters, so a server address such as
"https://reviews.provider.ac.uk:8443" showed only its middle in the sync settings: the assessor could not check
what they had typed. A field that holds something of a known shape is given the width of a long example of it,
measured in its own font (so it grows with the font and the scaling); the dialog around it still fits the screen
(`window_fit`).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame

#: A long but ordinary server address (a college's sub-domain, a port): the sync fields show one this long whole.
LONG_SERVER_ADDRESS = "https://progress-reviews.a-long-training-provider-name.ac.uk:8443"
#: A long provider name as printed on the copies (a college group's full legal name).
LONG_PROVIDER_NAME = "The Northumberland and Tyneside Colleges Apprenticeship Training Ltd"
#: A long path to a logo file in someone's Pictures folder.
LONG_FILE_PATH = "/home/firstname.lastname/Pictures/provider-logo-colour.png"
#: Qt's own room between a line edit's frame and its text, each side (QLineEditPrivate::horizontalMargin).
_TEXT_MARGIN = 2


def width_for_text(field: QLineEdit, sample: str) -> int:
    """The width a line edit needs to show `sample` whole, frame, margins and style included."""
    text = field.fontMetrics().horizontalAdvance(sample) + 1  # +1: the cursor after the last character
    margins = field.textMargins()
    inner = field.contentsMargins()
    contents = QSize(text + 2 * _TEXT_MARGIN + margins.left() + margins.right() + inner.left() + inner.right(),
                     field.sizeHint().height())
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    return field.style().sizeFromContents(QStyle.ContentsType.CT_LineEdit, option, contents, field).width()


def fit_field_to(field: QLineEdit, sample: str) -> None:
    """Make the field at least wide enough for `sample`; wider stays allowed (a layout may stretch it)."""
    field.setMinimumWidth(width_for_text(field, sample))
