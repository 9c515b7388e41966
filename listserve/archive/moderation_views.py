"""The committee's moderation queue for comments (/committee/comments)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from listserve.archive import moderation
from listserve.archive import moderation_bp as bp
from listserve.archive.guard import committee_member_required
from listserve.committee.audit import record_audit
from listserve.core.forms import ButtonForm
from listserve.extensions import db

ACTIONS = {
    "approve": (moderation.approve_comment, _l("Comment published.")),
    "hide": (moderation.hide_comment, _l("Comment hidden.")),
    "delete": (moderation.delete_comment, _l("Comment deleted.")),
    "spammer": (lambda c: moderation.mark_spammer(c.commenter),
                _l("Address marked as a spammer.")),
}


@bp.get("")
@committee_member_required
def queue():
    return render_template(
        "archive/moderation/queue.html", held=moderation.held_comments(),
        recent=moderation.recent_comments(), form=ButtonForm()
    )


@bp.post("/<int:comment_id>/<action>")
@committee_member_required
def act(comment_id: int, action: str):
    if action not in ACTIONS or not ButtonForm().validate_on_submit():
        return render_template("errors/error.html", code=400,
                               message=_("That did not work; please press the button again.")), 400
    change, done = ACTIONS[action]
    back = url_for("archive.moderation.queue")
    try:
        comment = moderation.get_comment(comment_id)
        if request.form.get("back") == "post":  # pressed under the comment on its post
            back = url_for("archive.post", year=comment.post.year, slug=comment.post.slug,
                           _anchor="comments")
        detail = {"post": comment.post.subject, "by": comment.author_name}
        change(comment)
        record_audit(current_user, f"comment {action}", "comment", comment_id, detail=detail)
    except moderation.CommentGone as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(str(done))
    return redirect(back, 303)
