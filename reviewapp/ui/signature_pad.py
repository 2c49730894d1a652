"""A pad to sign on with a mouse, pen or finger; the signature is kept as strokes and as a PNG image.

Strokes are stored in 0–1 coordinates of the pad's signing box so a signature drawn on a small laptop looks the same
printed on A4; the PNG is rendered from the strokes at a fixed size for the PDF. The signing box always has the
PNG's proportions (3:1), however wide the window: 0–1 in x and 0–1 in y then mean the same shape on screen, in
the PNG and on paper. (The box once filled the whole widget, which a wide window made 7:1: rendered into the 3:1
PNG, signatures printed at less than half their drawn width-to-height ratio.)
"""

from __future__ import annotations

import base64

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

Stroke = list[list[float]]

PNG_SIZE = QSize(600, 200)

#: Width over height of the signing box, the stored PNG and so of every printed signature.
SIGNING_ASPECT = PNG_SIZE.width() / PNG_SIZE.height()


def signing_box(width: float, height: float, aspect: float = SIGNING_ASPECT) -> QRectF:
    """The largest box of the given width-to-height ratio centred in width × height: where 0–1 strokes map to."""
    box_width = min(width, height * aspect)
    box_height = box_width / aspect
    return QRectF((width - box_width) / 2, (height - box_height) / 2, box_width, box_height)


def _path(strokes: list[Stroke], box: QRectF) -> QPainterPath:
    path = QPainterPath()
    x0, y0, width, height = box.x(), box.y(), box.width(), box.height()
    for stroke in strokes:
        if not stroke:
            continue
        path.moveTo(x0 + stroke[0][0] * width, y0 + stroke[0][1] * height)
        if len(stroke) == 1:  # a dot
            path.lineTo(x0 + stroke[0][0] * width + 0.5, y0 + stroke[0][1] * height + 0.5)
        for x, y in stroke[1:]:
            path.lineTo(x0 + x * width, y0 + y * height)
    return path


def strokes_to_png(strokes: list[Stroke], size: QSize = PNG_SIZE) -> str:
    """Render strokes (0–1 coordinates) as a PNG on white, base64 encoded as the record keeps it."""
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#0b1f4b"), 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                        Qt.PenJoinStyle.RoundJoin))
    painter.drawPath(_path(strokes, QRectF(0, 0, size.width(), size.height())))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return base64.b64encode(bytes(data.data())).decode("ascii")


class SignaturePad(QWidget):
    """Emits `signed` when a stroke is finished; `strokes()` and `png()` give the signature."""

    signed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None
        self._read_only = False
        self.setMinimumSize(round(150 * SIGNING_ASPECT), 150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(150)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, False)  # touch arrives as synthesised mouse
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleDescription("Draw a signature with the mouse, a pen or a finger.")

    # --- data ---------------------------------------------------------------------------------------------

    def strokes(self) -> list[Stroke]:
        return [list(map(list, s)) for s in self._strokes]

    def set_strokes(self, strokes: list[Stroke]) -> None:
        self._strokes = [[[float(x), float(y)] for x, y in s] for s in strokes or []]
        self.update()

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        self._strokes = []
        self.update()

    def png(self) -> str:
        return strokes_to_png(self._strokes)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.setCursor(Qt.CursorShape.ArrowCursor if read_only else Qt.CursorShape.CrossCursor)

    # --- input --------------------------------------------------------------------------------------------

    def box(self) -> QRectF:
        """Where the signature is drawn: the 3:1 signing box in the middle of the pad."""
        return signing_box(max(1, self.width()), max(1, self.height()))

    def _normalised(self, pos: QPointF) -> list[float]:
        box = self.box()
        x = (pos.x() - box.x()) / box.width()
        y = (pos.y() - box.y()) / box.height()
        return [round(min(max(x, 0.0), 1.0), 4), round(min(max(y, 0.0), 1.0), 4)]

    def _begin(self, pos: QPointF) -> None:
        if self._read_only:
            return
        self._current = [self._normalised(pos)]
        self._strokes.append(self._current)
        self.update()

    def _extend(self, pos: QPointF) -> None:
        if self._current is not None:
            self._current.append(self._normalised(pos))
            self.update()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.signed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()

    # --- drawing ------------------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().window())
        box = self.box()
        painter.fillRect(box, QColor("white"))
        border = QColor("#1f6feb") if self.hasFocus() else QColor("#8a8a8a")
        painter.setPen(QPen(border, 2 if self.hasFocus() else 1))
        painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
        baseline = box.y() + box.height() * 0.78
        painter.setPen(QPen(QColor("#c8c8c8"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(box.x() + 16, baseline), QPointF(box.right() - 16, baseline))
        if not self._strokes:
            painter.setPen(QColor("#8a8a8a"))
            painter.drawText(box.adjusted(0, 0, 0, -30), Qt.AlignmentFlag.AlignCenter,
                             "Sign here" if not self._read_only else "Not signed")
        painter.setPen(QPen(QColor("#0b1f4b"), 2.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawPath(_path(self._strokes, box))
        painter.end()
