import click
from flask.cli import with_appcontext

from listserve.delivery.worker import run_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Deliver what is due now, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Send queued mail: claim due copies, send them, record the results."""
    handled = run_worker(burst=burst)
    if burst:
        click.echo(f"{handled} copies handled")
