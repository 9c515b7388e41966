"""Hatch build hook: compile the gettext catalogs (.po -> .mo) when the package is built or
installed, editable or not, so a fresh `pip install -e .` or a wheel carries the .mo files
(which are not in the repository). pyproject.toml names this file and lists the .mo as
artifacts, so the wheel takes them although .gitignore leaves them out."""

import importlib.util
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

HERE = Path(__file__).resolve().parent


def _catalogs():
    # Loaded by path: the build environment has babel but not listserve's other dependencies.
    spec = importlib.util.spec_from_file_location("_listserve_catalogs", HERE / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CompileCatalogs(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        # version is "standard" for a wheel and "editable" for `pip install -e .`: both
        # need the .mo files (an editable install reads them from the checkout).
        if self.target_name == "wheel":
            _catalogs().compile_catalogs(HERE, only_stale=False)
