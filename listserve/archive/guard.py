"""Who may moderate comments: the one place the moderation views ask.

For now a logged-in committee member as Flask-Login knows them; when no login manager is set
up, nobody (403), never everybody. Point this at the committee's own decorator once it exists.
"""

from functools import wraps

from flask import abort, current_app


def _is_committee_member() -> bool:
    if getattr(current_app, "login_manager", None) is None:
        return False
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated)


def committee_member_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if not _is_committee_member():
            abort(403)
        return view(*args, **kwargs)

    return guarded
