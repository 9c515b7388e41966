"""Where templates and migrations are: at the repository root in a checkout, inside the
package once installed from a wheel (pyproject's force-include puts them there)."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # listserve/


def resource_dir(name: str) -> Path:
    installed = PACKAGE / name
    if installed.is_dir():
        return installed
    return PACKAGE.parent / name


TEMPLATES = resource_dir("templates")
MIGRATIONS = resource_dir("migrations")
STATIC = PACKAGE / "static"
TRANSLATIONS = PACKAGE / "translations"  # gettext catalogs: <lang>/LC_MESSAGES/messages.po|.mo
