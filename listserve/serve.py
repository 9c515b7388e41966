"""`listserve serve`: migrate, then serve the site with gunicorn and run a delivery worker
beside it in the same process group."""

import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from gunicorn.app.base import BaseApplication

from listserve import gunicorn_hooks
from listserve.extensions import db
from listserve.subscriptions.services import get_default_list


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from listserve import create_app

        return create_app()


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
    get_default_list()
    db.session.commit()
    db.engine.dispose()  # no connection may cross the fork into gunicorn's workers
    delivery = None
    if not no_delivery:
        delivery = subprocess.Popen([sys.executable, "-m", "listserve", "worker"], env=os.environ)
    click.echo(f"listserve on http://{bind}/ (delivery worker: {'off' if no_delivery else 'on'})")
    try:
        _Gunicorn(
            {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "accesslog": "-",
                "post_worker_init": gunicorn_hooks.post_worker_init,
            }
        ).run()
    finally:
        if delivery is not None:
            delivery.send_signal(signal.SIGTERM)
            delivery.wait(timeout=30)
