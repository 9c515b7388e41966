"""The `listserve` command (a Flask command group: also `flask --app listserve …`)."""

import click
from flask import Flask
from flask.cli import FlaskGroup

from listserve import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """listserve: the network's mailing list and public site."""


def register_commands(app: Flask) -> None:
    from listserve.admin.cli import subscribers
    from listserve.announcements.cli import announcements
    from listserve.committee.cli import members
    from listserve.delivery.cli import mailings, worker
    from listserve.inbound.cli import inbound
    from listserve.public.cli import demo, ecosystem
    from listserve.serve import serve

    commands = (serve, worker, mailings, inbound, demo, ecosystem, members, announcements,
                subscribers)
    for command in commands:
        app.cli.add_command(command)
