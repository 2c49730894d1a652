"""Every top-level window fits the screen it opens on, and comes back where the user left it.

A laptop's 1366×768 (or 1280×720, or either at 150% scaling) is smaller than the sizes the windows used to ask for,
so the wizard's Back / Next / Finalise ended up below the bottom of the screen. Each window names a comfortable
default size; `fit_window` shrinks it to the available area of the window's screen (less room for the title bar
and frame the window manager adds), restores the size, position and maximised state saved the last time (QSettings),
and puts a saved window back on a screen when the screen it was on has gone (a laptop taken off its docking
station). The geometry is saved whenever the window closes or hides.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

SETTINGS_ORGANISATION = "ReviewApp"
SETTINGS_NAME = "windows"
# Room left for what the window manager adds around a window: a title bar on top, a thin frame on the sides.
FRAME_ALLOWANCE = QSize(16, 48)


def window_settings() -> QSettings:
    """Where window places are kept: an INI file in the user's configuration folder (tests point it elsewhere)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, SETTINGS_ORGANISATION, SETTINGS_NAME)


def screen_for(window: QWidget) -> QScreen:
    """The screen a window opens on: its parent's (a dialog opens over its window), else its own, else the primary."""
    parent = window.parentWidget()
    screen = (parent.window().screen() if parent is not None else None) or window.screen()
    return screen or QGuiApplication.primaryScreen()


def available_rect(window: QWidget) -> QRect:
    """The part of the window's screen not taken by panels and docks (a seam tests replace)."""
    return screen_for(window).availableGeometry()


def fitted_size(default: QSize, available: QRect, minimum: QSize | None = None) -> QSize:
    """The default size, never larger than the available area less the frame; never below the window's minimum
    unless even that does not fit (then the available area wins: a window larger than the screen is no use)."""
    room = available.size() - FRAME_ALLOWANCE
    width = min(default.width(), room.width())
    height = min(default.height(), room.height())
    if minimum is not None:
        width = min(max(width, minimum.width()), room.width())
        height = min(max(height, minimum.height()), room.height())
    return QSize(max(width, 1), max(height, 1))


def centred(size: QSize, available: QRect) -> QPoint:
    """The top-left corner that centres a window of this size (with its frame) in the available area."""
    outer = size + FRAME_ALLOWANCE
    return QPoint(available.x() + max((available.width() - outer.width()) // 2, 0),
                  available.y() + max((available.height() - outer.height()) // 2, 0))


def on_some_screen(rect: QRect) -> bool:
    """Whether enough of a window (its title bar's middle) is on a screen to be grabbed and moved."""
    return screen_at(rect) is not None


def screen_at(rect: QRect) -> QRect | None:
    """The available area of the screen holding the window's title bar, if any does."""
    grip = QPoint(rect.center().x(), rect.top() + 8)
    return next((screen.availableGeometry() for screen in QGuiApplication.screens()
                 if screen.availableGeometry().contains(grip)), None)


def inside(frame: QRect, available: QRect) -> QPoint:
    """Where to move a window so all of its frame is in the available area (when it is small enough to be)."""
    x = min(max(frame.left(), available.left()), max(available.right() + 1 - frame.width(), available.left()))
    y = min(max(frame.top(), available.top()), max(available.bottom() + 1 - frame.height(), available.top()))
    return QPoint(x, y)


class _GeometryKeeper(QObject):
    """Saves the window's geometry when it closes or hides; a child of the window, so it lives as long."""

    def __init__(self, window: QWidget, key: str) -> None:
        super().__init__(window)
        self.key = key
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide) and isinstance(watched, QWidget):
            save_geometry(watched, self.key)
        return False


def save_geometry(window: QWidget, key: str) -> None:
    settings = window_settings()
    settings.setValue(f"{key}/geometry", window.saveGeometry())
    settings.sync()


def fit_window(window: QWidget, key: str, default: QSize) -> None:
    """Size a top-level window for its screen, restore where the user left it, and remember it from now on.

    Call it once, at the end of the window's constructor (its layout built, so its minimum size is known).
    """
    available = available_rect(window)
    saved = window_settings().value(f"{key}/geometry")
    restored = isinstance(saved, QByteArray | bytes) and window.restoreGeometry(QByteArray(saved))
    if restored and window.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
        pass  # it opens filling the screen it is put on; its normal size and place were restored with it
    elif restored:
        size = fitted_size(window.size(), available, window.minimumSize())
        if size != window.size():
            window.resize(size)
        if not on_some_screen(window.frameGeometry()):
            window.move(centred(window.size(), available))
        else:  # on a screen, but perhaps partly off it: moved only as far as needed (a move each time would drift)
            frame = window.frameGeometry()
            corner = inside(frame, screen_at(frame) or available)
            if corner != frame.topLeft():
                window.move(corner)
    else:
        size = fitted_size(default, available, window.minimumSize())
        window.resize(size)
        if window.parentWidget() is None:  # a dialog is centred over its window by Qt when shown
            window.move(centred(size, available))
    _GeometryKeeper(window, key)
