"""`listserve translations`: keep the catalogs in step with the code (update) and compile
them in a worktree that was not reinstalled (compile)."""

import click
from flask_babel import gettext as _

from listserve.core import paths
from listserve.translations import catalogs


@click.group("translations")
def translations() -> None:
    """The gettext catalogs under listserve/translations."""


@translations.command("compile")
@click.option("--all", "everything", is_flag=True,
              help="Compile every catalog, not only the changed.")
def compile_command(everything: bool) -> None:
    """Compile each messages.po into its messages.mo."""
    written = catalogs.compile_catalogs(only_stale=not everything)
    for mo in written:
        click.echo(_("Compiled %(path)s", path=mo.relative_to(paths.PACKAGE.parent)))
    if not written:
        click.echo(_("Every catalog is already compiled."))


@translations.command("update")
@click.option("--init", "init", multiple=True, metavar="LANG",
              help="Start a catalog for a new language (e.g. --init pt).")
def update_command(init: tuple[str, ...]) -> None:
    """Extract the messages, update every catalog, merge fragments/<lang>-*.po, compile."""
    for line in catalogs.update(paths.PACKAGE.parent, init=init):
        click.echo(line)
