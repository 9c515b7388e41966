"""The view of a link from a mail (confirm, verify, re-enable, leave): GET only shows a page
with a button, because mail scanners follow links and people press buttons; the POST acts and
commits. A bad or expired token gets the feature's "bad link" page (404, or 410 when expired).
"""

from collections.abc import Callable

from flask import render_template, request

from listserve.core.tokens import TokenError, TokenExpired
from listserve.extensions import db


def button_link(form, act: Callable, look: Callable, *, done: Callable, page: Callable,
                bad_link: str):
    """`act()` does what the link is for (its result goes to `done`, which renders the
    answer); `look()` finds what the link is about (for `page`, the page with the button)."""
    try:
        if form.validate_on_submit():
            result = act()
            db.session.commit()
            return done(result)
        waiting = look()
    except TokenExpired:
        return render_template(bad_link, expired=True), 410
    except TokenError:
        return render_template(bad_link, expired=False), 404
    status = 400 if request.method == "POST" else 200
    return page(waiting), status
