"""/announcements: drafts, revisions, approvals by the token's member, send, schedule,
progress, pause, resume, cancel; every rule is the announcements services' own."""

import sqlalchemy as sa
from flask import Response
from werkzeug.exceptions import Conflict, Forbidden, NotFound

from listserve.announcements import control, sending, services
from listserve.announcements.models import Announcement
from listserve.api import bp
from listserve.api.auth import audit_subject, current_caller, requires
from listserve.api.models import Scope
from listserve.api.paging import PageQuery, check_if_match, keyset, page_of, with_etag
from listserve.api.schemas import (
    AnnouncementDraft,
    AnnouncementEdit,
    AnnouncementOut,
    AnnouncementPage,
    ApprovalIn,
    ProgressOut,
    RevisionOut,
    ScheduleIn,
    SendIn,
)
from listserve.core.headers import UnsafeHeaderValue
from listserve.extensions import db


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def revision_out(revision) -> dict:
    return {"number": revision.number, "subject": revision.subject, "body": revision.body,
            "next_steps": revision.next_steps, "content_hash": revision.content_hash,
            "author_id": revision.author_id, "created_at": _iso(revision.created_at)}


def announcement_out(announcement: Announcement) -> dict:
    revision = announcement.current_revision
    return {"id": announcement.id, "list_id": announcement.list_id,
            "status": announcement.status, "author_id": announcement.author_id,
            "subject": revision.subject, "revision": revision_out(revision),
            "approvals": [a.member_id for a in services.current_approvals(announcement)],
            "approval_hash": services.set_hash(announcement),
            "scheduled_at": _iso(announcement.scheduled_at),
            "sent_at": _iso(announcement.sent_at), "post_id": announcement.post_id}


def _announcement_or_404(announcement_id: int) -> Announcement:
    announcement = services.get_announcement(announcement_id)
    if announcement is None:
        raise NotFound("There is no announcement with this id.")
    return announcement


def _act(announcement: Announcement, action, **detail) -> Response:
    """Run one service call; its refusals become 403 / 409 problems."""
    try:
        action()
    except services.NotAllowed as exc:
        raise Forbidden(str(exc)) from None
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        raise Conflict(str(exc)) from None
    db.session.flush()
    db.session.refresh(announcement)
    audit_subject("announcement", announcement.id, **detail)
    return with_etag(announcement_out(announcement))


@bp.route("/announcements", methods=["GET"])
@requires(Scope.READ)
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, AnnouncementPage)
def get_announcements(**query):
    """Announcements in id order."""
    found = db.session.scalars(keyset(sa.select(Announcement), Announcement.id, query))
    return page_of([announcement_out(a) for a in found], query["limit"])


@bp.route("/announcements", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.arguments(AnnouncementDraft)
@bp.response(201, AnnouncementOut)
def create_announcement(data):
    """A new draft (revision 1) by the token's member."""
    try:
        announcement = services.create_announcement(
            current_caller().member, data["subject"], data["body"], data["next_steps"])
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        raise Conflict(str(exc)) from None
    audit_subject("announcement", announcement.id)
    return with_etag(announcement_out(announcement), 201)


@bp.route("/announcements/<int(max=2147483647):announcement_id>", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, AnnouncementOut)
def get_announcement(announcement_id: int):
    """One announcement with its current revision; the ETag goes in If-Match to edit it."""
    return with_etag(announcement_out(_announcement_or_404(announcement_id)))


@bp.route("/announcements/<int(max=2147483647):announcement_id>", methods=["PATCH"])
@requires(Scope.ANNOUNCEMENTS_WRITE, if_match=True)
@bp.arguments(AnnouncementEdit)
@bp.response(200, AnnouncementOut)
def edit_announcement(data, announcement_id: int):
    """Save an edit as a new revision (approvals are cleared). A stale If-Match gets 412."""
    announcement = _announcement_or_404(announcement_id)
    check_if_match(announcement_out(announcement))
    current = announcement.current_revision
    return _act(announcement, lambda: services.save_revision(
        announcement, current_caller().member, data.get("subject", current.subject),
        data.get("body", current.body), data.get("next_steps", current.next_steps)))


@bp.route("/announcements/<int(max=2147483647):announcement_id>/revisions", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, RevisionOut(many=True))
def get_revisions(announcement_id: int):
    """Every revision, first to last."""
    return [revision_out(r) for r in _announcement_or_404(announcement_id).revisions]


@bp.route("/announcements/<int(max=2147483647):announcement_id>/approvals", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.arguments(ApprovalIn)
@bp.response(200, AnnouncementOut)
def approve_announcement(data, announcement_id: int):
    """Approve the revision you reviewed, as the token's member (never your own draft)."""
    announcement = _announcement_or_404(announcement_id)
    return _act(announcement, lambda: services.approve_revision(
        announcement, current_caller().member, data["content_hash"]))


@bp.route("/announcements/<int(max=2147483647):announcement_id>/send", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE, mails=True)
@bp.arguments(SendIn)
@bp.response(200, AnnouncementOut)
def send_announcement(data, announcement_id: int):
    """Send the current approved revision now."""
    announcement = _announcement_or_404(announcement_id)
    return _act(announcement, lambda: sending.send_announcement(
        announcement, current_caller().member, data.get("reason"), via="api"))


@bp.route("/announcements/<int(max=2147483647):announcement_id>/schedule", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE, mails=True)
@bp.arguments(ScheduleIn)
@bp.response(200, AnnouncementOut)
def schedule_announcement(data, announcement_id: int):
    """Send the current revision at a time in the future."""
    announcement = _announcement_or_404(announcement_id)
    return _act(announcement, lambda: sending.schedule_announcement(
        announcement, current_caller().member, data["at"], data.get("reason")),
        at=data["at"].isoformat())


@bp.route("/announcements/<int(max=2147483647):announcement_id>/schedule", methods=["DELETE"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.response(200, AnnouncementOut)
def unschedule_announcement(announcement_id: int):
    """Back to a draft."""
    announcement = _announcement_or_404(announcement_id)
    return _act(announcement, lambda: sending.unschedule_announcement(
        announcement, current_caller().member))


@bp.route("/announcements/<int(max=2147483647):announcement_id>/progress", methods=["GET"])
@requires(Scope.READ)
@bp.response(200, ProgressOut)
def get_progress(announcement_id: int):
    """How far sending is: copies by state, the rate and the time left."""
    progress = control.announcement_progress(_announcement_or_404(announcement_id))
    if progress is None:
        raise NotFound("This announcement has not been sent.")
    return {"state": progress.state, "queued": progress.queued, "sent": progress.sent,
            "failed": progress.failed, "cancelled": progress.cancelled,
            "total": progress.total, "per_minute": progress.per_minute,
            "seconds_left": progress.seconds_left}


STEERING = {"pause": control.pause_sending, "resume": control.resume_sending,
            "cancel": control.cancel_sending}


def _steer(name: str, announcement_id: int):
    announcement = _announcement_or_404(announcement_id)
    return _act(announcement,
                lambda: STEERING[name](announcement, current_caller().member))


@bp.route("/announcements/<int(max=2147483647):announcement_id>/pause", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.response(200, AnnouncementOut)
def pause_announcement(announcement_id: int):
    """Pause sending (the author or an admin)."""
    return _steer("pause", announcement_id)


@bp.route("/announcements/<int(max=2147483647):announcement_id>/resume", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.response(200, AnnouncementOut)
def resume_announcement(announcement_id: int):
    """Resume a paused send."""
    return _steer("resume", announcement_id)


@bp.route("/announcements/<int(max=2147483647):announcement_id>/cancel", methods=["POST"])
@requires(Scope.ANNOUNCEMENTS_WRITE)
@bp.response(200, AnnouncementOut)
def cancel_announcement(announcement_id: int):
    """Cancel sending: copies not yet sent stay unsent."""
    return _steer("cancel", announcement_id)
