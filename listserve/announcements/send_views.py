"""Review and sending: approve, comment, test send, send now, schedule, and watching it go."""

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from listserve.announcements import bp, control, drafts, sending, services, status_label
from listserve.announcements.forms import ApproveForm, CommentForm, ScheduleForm, SendForm
from listserve.announcements.page import render_confirm_send, render_detail
from listserve.announcements.views import announcement_or_404
from listserve.archive.models import Post
from listserve.committee.auth import member_required
from listserve.committee.timezones import from_local_input
from listserve.core.headers import UnsafeHeaderValue
from listserve.extensions import db


def _act(announcement, change, done: str, then="announcements.detail", **forms):
    """Run one service; a refusal is shown on the announcement's page with what was typed."""
    try:
        change()
    except services.NotAllowed as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=403, message=str(exc)), 403
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        db.session.rollback()
        return render_detail(announcement, 400, str(exc), **forms)
    db.session.commit()
    flash(done)
    if then == "announcements.index":
        return redirect(url_for(then), 303)
    return redirect(url_for(then, announcement_id=announcement.id), 303)


def _invalid(announcement, **forms):
    return render_detail(announcement, 400, _("Please correct the form below."), **forms)


@bp.post("/<int:announcement_id>/approve")
@member_required
def approve(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _invalid(announcement)
    return _act(announcement, lambda: services.approve_revision(
        announcement, current_user, form.revision_hash.data), _("Approved."))


@bp.post("/<int:announcement_id>/comments")
@member_required
def comment(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _invalid(announcement, comment_form=form)
    return _act(announcement, lambda: services.add_comment(
        announcement, current_user, form.body.data), _("Comment added."), comment_form=form)


@bp.post("/<int:announcement_id>/test")
@member_required
def send_test(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    return _act(announcement, lambda: sending.send_test(announcement, current_user),
                _("A test copy is on its way to %(email)s.", email=current_user.email))


@bp.get("/<int:announcement_id>/send")
@member_required
def confirm_send(announcement_id: int):
    """The last step before sending: which list, how many people, whose approvals."""
    announcement = announcement_or_404(announcement_id)
    if announcement.status != "draft":
        return redirect(url_for("announcements.detail", announcement_id=announcement.id), 303)
    return render_confirm_send(announcement, SendForm(formdata=None))


@bp.post("/<int:announcement_id>/send")
@member_required
def send(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    form = SendForm()
    if not form.validate_on_submit():
        return render_confirm_send(announcement, form, 400, _("Please correct the form below."))
    try:
        sending.send_announcement(announcement, current_user, form.reason.data)
    except services.NotAllowed as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=403, message=str(exc)), 403
    except services.AnnouncementError as exc:
        db.session.rollback()
        return render_confirm_send(announcement, form, 400, str(exc))
    db.session.commit()
    flash(_("Sending has started."))
    return redirect(url_for("announcements.sending_page", announcement_id=announcement.id), 303)


@bp.post("/<int:announcement_id>/schedule")
@member_required
def schedule(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    form = ScheduleForm(prefix="schedule")
    if not form.validate_on_submit():
        return _invalid(announcement, schedule_form=form)
    when = from_local_input(form.when.data)
    return _act(announcement, lambda: sending.schedule_announcement(
        announcement, current_user, when, form.reason.data), _("Scheduled."), schedule_form=form)


@bp.post("/<int:announcement_id>/unschedule")
@member_required
def unschedule(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    return _act(announcement, lambda: sending.unschedule_announcement(
        announcement, current_user), _("No longer scheduled: it is a draft again."))


@bp.get("/<int:announcement_id>/sending")
@member_required
def sending_page(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    progress = control.announcement_progress(announcement)
    if progress is None:
        return redirect(url_for("announcements.detail", announcement_id=announcement.id))
    post = db.session.get(Post, announcement.post_id) if announcement.post_id else None
    return render_template("announcements/sending.html", announcement=announcement,
                           progress=progress, post=post)


@bp.get("/<int:announcement_id>/progress.json")
@member_required
def progress(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    progress = control.announcement_progress(announcement)
    if progress is None:
        abort(404)
    return jsonify(status=progress.status, state=progress.state,
                   state_label=status_label(progress.state), queued=progress.queued,
                   sent=progress.sent, failed=progress.failed, cancelled=progress.cancelled,
                   total=progress.total,
                   per_minute=progress.per_minute, seconds_left=progress.seconds_left,
                   done=progress.done)


def _steer(announcement_id: int, change, done: str):
    announcement = announcement_or_404(announcement_id)
    try:
        change(announcement, current_user)
    except services.NotAllowed as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=403, message=str(exc)), 403
    except services.AnnouncementError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("announcements.sending_page", announcement_id=announcement_id),
                        303)
    db.session.commit()
    flash(done)
    return redirect(url_for("announcements.sending_page", announcement_id=announcement_id), 303)


@bp.post("/<int:announcement_id>/pause")
@member_required
def pause(announcement_id: int):
    return _steer(announcement_id, control.pause_sending, _("Paused."))


@bp.post("/<int:announcement_id>/resume")
@member_required
def resume(announcement_id: int):
    return _steer(announcement_id, control.resume_sending, _("Resumed."))


@bp.post("/<int:announcement_id>/cancel")
@member_required
def cancel(announcement_id: int):
    return _steer(announcement_id, control.cancel_sending,
                  _("Cancelled: no more copies will go."))




@bp.post("/<int:announcement_id>/delete")
@member_required
def delete(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    return _act(announcement, lambda: drafts.delete_draft(announcement, current_user),
                _("Draft deleted."), then="announcements.index")


@bp.post("/<int:announcement_id>/duplicate")
@member_required
def duplicate(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    made = []
    answer = _act(announcement, lambda: made.append(
        drafts.duplicate_announcement(announcement, current_user)),
        _("A copy was made: this is the new draft."))
    if made and answer.status_code == 303:
        return redirect(url_for("announcements.edit", announcement_id=made[0].id), 303)
    return answer
