"""Who holds a person's data, so that exporting or erasing it reaches every feature without
the subscriptions feature importing them.

Each feature that stores something about a person by their address (the archive's comments,
the mail they sent us) registers a holder from create_app; `export_from` and `erase_from` ask
every holder in the order they registered.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass(frozen=True)
class Holder:
    # The key of this holder's part in an export, and what it returns for an address key
    # (None: it keeps nothing worth exporting, only something to erase).
    name: str
    erase: Callable[[str], None]
    export: Callable[[str], list[dict]] | None = None


def init_app(app: Flask) -> None:
    app.extensions["personal_data"] = []


def register(app: Flask, holder: Holder) -> None:
    app.extensions["personal_data"].append(holder)


def export_from(email_key: str) -> dict[str, list[dict]]:
    """Each holder's part of one person's data, by the holder's name."""
    return {holder.name: holder.export(email_key)
            for holder in current_app.extensions["personal_data"] if holder.export}


def erase_from(email_key: str) -> None:
    for holder in current_app.extensions["personal_data"]:
        holder.erase(email_key)
