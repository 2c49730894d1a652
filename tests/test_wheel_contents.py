"""The wheel carries what an installed copy reads from disk: the review templates (which the central server, installed
with `pip install 'reviewapp[server]'`, checks every finalised review against), fonts, icons and both sets of
migrations, and the ILR schema the server's import validates against. Before the resources moved inside the
package, a wheel held no template, and a wheel-installed server refused every finalised review."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from reviewapp.core.resources import resource_path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_templates_fonts_icons_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
         "--wheel-dir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=240,
    )
    (wheel,) = tmp_path.glob("reviewapp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_templates = sorted(p.name for p in resource_path("templates").glob("*.json"))
    assert shipped_templates, "no templates found in the source tree"
    for name in shipped_templates:
        assert f"reviewapp/resources/templates/{name}" in names
    assert "reviewapp/resources/fonts/DejaVuSans.ttf" in names
    assert "reviewapp/resources/icons/reviewapp.png" in names
    assert any(n.startswith("sync/server/migrations/versions/0001") for n in names)
    assert any(n.startswith("reviewapp/store/migrations/versions/0001") for n in names)
    assert "sync/server/mis/schemas/schemafile25.xsd" in names  # the ILR import validates against it
    # The office web app's pages and its vendored assets, with their licences.
    for name in ("templates/base.html", "templates/learners.html", "static/app/init.js",
                 "static/vendor/govuk-frontend/govuk-frontend.min.css", "static/vendor/govuk-frontend/LICENCE.txt",
                 "static/vendor/htmx/htmx.min.js", "static/vendor/htmx/LICENCE.txt"):
        assert f"sync/server/web/{name}" in names, name
