"""The `listserve` command (a Flask command group: also `flask --app listserve …`), and
`listserve serve`: migrate, then serve the site with gunicorn and run a delivery worker beside
it in the same process group.

The group finds the app by its import path, as `flask --app listserve` does, so this module
never imports create_app (which registers the commands here: no import cycle).
The gunicorn hooks are here too; bench/web.py passes this file to gunicorn with
`-c python:listserve.cli`, so it gets the same hooks."""

import gc
import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_babel import gettext as _
from flask_migrate import upgrade
from gunicorn.app.base import BaseApplication

from listserve.core.lists import ensure_default_list
from listserve.extensions import db


class _ListserveGroup(FlaskGroup):
    def make_context(self, info_name, args, parent=None, **extra):
        extra.setdefault("obj", ScriptInfo(app_import_path="listserve:create_app()"))
        return super().make_context(info_name, args, parent, **extra)


@click.group(cls=_ListserveGroup, add_version_option=False)
def main() -> None:
    """listserve: the network's mailing list and public site."""
    gc.enable()  # off while the app was made (listserve/__main__.py)


def post_worker_init(worker) -> None:
    """Freeze what start-up made (the app, its modules and their objects: ~147k), so the
    garbage collector's full collections no longer walk it. Unfrozen, such a collection took
    ~100 ms on the project's machine, holding the GIL: every request in the worker waited,
    which is what a page's 99th percentile is made of. The delivery worker does the same."""
    gc.freeze()


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # By import path, like the command group: gunicorn builds the app in each worker.
        from gunicorn.util import import_app

        return import_app("listserve:create_app()")


@click.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True, help="Web worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per web worker.")
@click.option("--no-delivery", is_flag=True, help="Do not start a delivery worker.")
@with_appcontext
def serve(bind: str, workers: int, threads: int, no_delivery: bool) -> None:
    """Migrate the database, serve the site, and deliver mail."""
    if not os.environ.get("LISTSERVE_BASE_URL"):
        # Links in mail must point where the site is actually served.
        os.environ["LISTSERVE_BASE_URL"] = f"http://{bind}"
        current_app.config["BASE_URL"] = f"http://{bind}"
    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_default_list(db.session.connection())  # LIST_SLUG may have changed since
    db.session.commit()
    db.engine.dispose()  # no connection may cross the fork into gunicorn's workers
    delivery = None
    if not no_delivery:
        delivery = subprocess.Popen([sys.executable, "-m", "listserve", "worker"], env=os.environ)
    click.echo(_("listserve on http://%(bind)s/ (delivery worker: off)", bind=bind) if no_delivery
               else _("listserve on http://%(bind)s/ (delivery worker: on)", bind=bind))
    try:
        _Gunicorn(
            {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "post_worker_init": post_worker_init,
            }
        ).run()
    finally:
        if delivery is not None:
            delivery.send_signal(signal.SIGTERM)
            delivery.wait(timeout=30)
