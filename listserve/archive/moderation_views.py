"""The committee's moderation queue for comments (/committee/comments)."""

from flask import flash, redirect, render_template, url_for

from listserve.archive import moderation
from listserve.archive import moderation_bp as bp
from listserve.archive.guard import committee_member_required
from listserve.core.forms import ButtonForm
from listserve.extensions import db

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
        "archive/moderation/queue.html", held=moderation.held_comments(), form=ButtonForm()
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
    return redirect(url_for("archive.moderation.queue"), 303)
