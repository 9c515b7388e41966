"""Named events a feature announces without knowing who listens (webhooks, for one).

A feature calls `emit("subscription.confirmed", {...})` where the thing happens, inside its
own transaction; create_app registers the listeners (`listen(app, name, listener)`), so the
emitting feature never imports the listening one. A listener only adds rows (it flushes,
never commits, never talks to the network): a rolled-back request announces nothing.
"""

from collections.abc import Callable

from flask import Flask, current_app, has_app_context

Listener = Callable[[str, dict], None]

# Every event a feature emits, with what its payload holds.
EVENTS = {
    "subscription.confirmed": "a person confirmed their subscription",
    "subscription.left": "a subscription ended (unsubscribed)",
    "subscription.bounce_disabled": "delivery to a subscription stopped after bounces",
    "announcement.sent": "an announcement was handed to the delivery engine",
    "comment.posted": "a comment was published in the archive",
    "comment.held": "a comment waits for the committee",
    "post.held": "a message sent to a list was held for a person to look at",
}


def listen(app: Flask, name: str, listener: Listener) -> None:
    """Call `listener(name, payload)` on every `emit(name, …)` in this app ("*": every event)."""
    app.extensions.setdefault("event_listeners", {}).setdefault(name, []).append(listener)


def emit(name: str, payload: dict) -> None:
    """Tell this app's listeners that `name` happened; nothing when no app or no listener."""
    if not has_app_context():
        return
    listeners = current_app.extensions.get("event_listeners")
    if not listeners:
        return
    for listener in (*listeners.get(name, ()), *listeners.get("*", ())):
        listener(name, payload)
