"""The committee's moderation queue for comments (/committee/comments)."""

from flask import Blueprint, flash, redirect, render_template, url_for

from listserve.archive import moderation
from listserve.archive.forms import ButtonForm
from listserve.archive.guard import committee_member_required
from listserve.extensions import db

bp = Blueprint("comment_moderation", __name__, url_prefix="/committee/comments")

ACTIONS = {
    "approve": (moderation.approve_comment, "Comment published."),
    "hide": (moderation.hide_comment, "Comment hidden."),
    "delete": (moderation.delete_comment, "Comment deleted."),
    "spammer": (lambda c: moderation.mark_spammer(c.commenter), "Address marked as a spammer."),
}


@bp.get("")
@committee_member_required
def queue():
    return render_template(
        "archive/moderation.html", held=moderation.held_comments(), form=ButtonForm()
    )


@bp.post("/<int:comment_id>/<action>")
@committee_member_required
def act(comment_id: int, action: str):
    if action not in ACTIONS or not ButtonForm().validate_on_submit():
        return render_template("errors/error.html", code=400,
                               message="That did not work; please press the button again."), 400
    change, done = ACTIONS[action]
    try:
        change(moderation.get_comment(comment_id))
    except moderation.CommentGone as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done)
    return redirect(url_for("comment_moderation.queue"), 303)
