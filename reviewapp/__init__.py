"""ReviewApp: offline-first progress reviews for apprenticeship and further education assessors."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reviewapp")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

APP_NAME = "ReviewApp"
APP_AUTHOR = "ReviewApp"
