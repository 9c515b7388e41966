"""Held posts on the web: the committee's queue, one post (its headers on demand), the
decisions, and the moderator notice's links (a button; the POST acts, once)."""

import email
from email import policy

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length

from listserve.archive.message_text import read_post
from listserve.committee.auth import member_required
from listserve.core.forms import ButtonForm, Form
from listserve.core.link_views import button_link
from listserve.core.lists import MailingList
from listserve.extensions import db
from listserve.inbound import bp, moderation

LABELS = {
    "approve": _l("Approve"),
    "approve_free": _l("Approve, and let this sender post freely"),
    "discard": _l("Discard"),
    "reject": _l("Reject with the reason below"),
    "ban": _l("Discard and ban the sender"),
}
DONE = {
    "approve": _l("Approved: the post goes to the list."),
    "approve_free": _l("Approved; this sender now posts without moderation."),
    "discard": _l("Discarded."),
    "reject": _l("Rejected; the sender is told why."),
    "ban": _l("Discarded; the sender is banned from this list."),
}


class DecisionForm(Form):
    reason = TextAreaField(_l("Reason (sent to the sender when rejecting)"),
                           validators=[Length(max=2000)])


def _shown(record):
    raw = record.raw or b""
    content = read_post(raw)
    headers = email.message_from_bytes(raw, policy=policy.compat32).items() if raw else []
    return {"record": record, "content": content, "headers": headers,
            "mailing_list": db.session.get(MailingList, record.list_id)}


@bp.get("/committee/held")
@member_required
def held_queue():
    shown = [_shown(record) for record in moderation.held_posts()]
    return render_template("inbound/held_queue.html", held=shown, labels=LABELS)


@bp.get("/committee/held/<int:record_id>")
@member_required
def held_post(record_id: int):
    try:
        record = moderation.get_held(record_id)
    except moderation.NotHeld as exc:
        flash(str(exc), "error")
        return redirect(url_for("inbound.held_queue"))
    return render_template("inbound/held_post.html", form=DecisionForm(), labels=LABELS,
                           with_headers=request.args.get("headers") == "1", **_shown(record))


@bp.post("/committee/held/<int:record_id>/<action>")
@member_required
def decide(record_id: int, action: str):
    form = DecisionForm()
    if action not in LABELS:
        abort(404)
    try:
        record = moderation.get_held(record_id)
    except moderation.NotHeld as exc:
        flash(str(exc), "error")
        return redirect(url_for("inbound.held_queue"))
    reason = (form.reason.data or "").replace("\0", "").strip()
    valid = form.validate_on_submit()
    if valid and action == "reject" and not reason:
        form.reason.errors = [_("Please say why: the sender gets the reason.")]
        valid = False
    if not valid:  # the page again, with what was typed and what is wrong
        if not form.reason.errors:
            flash(_("That did not work; please press the button again."), "error")
        return render_template("inbound/held_post.html", form=form, labels=LABELS,
                               with_headers=False, **_shown(record)), 400
    moderation.act_on(record, action, current_user.label, reason)
    db.session.commit()
    flash(str(DONE[action]), "success")
    return redirect(url_for("inbound.held_queue"))


@bp.route("/moderate/<token>", methods=["GET", "POST"])
def moderate_link(token: str):
    """A moderator notice's link: GET shows the post and a button, the POST decides."""
    form = ButtonForm()

    def look():
        record_id, action = moderation.read_moderation_token(token)
        if action not in ("approve", "discard"):
            raise moderation.NotHeld("not a moderation link")
        return action, moderation.get_held(record_id)

    def act():
        action, record = look()
        moderation.act_on(record, action, "a moderator's emailed link")
        return action

    return button_link(
        form, act, look, bad_link="inbound/bad_link.html",
        done=lambda action: render_template("inbound/moderated.html", message=DONE[action]),
        page=lambda found: render_template("inbound/moderate_link.html", form=form,
                                           action=found[0], label=LABELS[found[0]],
                                           **_shown(found[1])),
    )
