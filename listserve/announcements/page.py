"""The announcement's page: the current revision as subscribers will see it, its review, and
the send controls. Shared by the page itself and by every form on it that can be refused."""

from flask import render_template
from flask_login import current_user

from listserve.announcements import services, shows_mail
from listserve.announcements.content import PREVIEW_UNSUBSCRIBE_URL, render_email
from listserve.announcements.control import announcement_progress
from listserve.announcements.forms import ApproveForm, CommentForm, ScheduleForm, SendForm
from listserve.announcements.sending import recipient_count
from listserve.committee.timezones import member_zone
from listserve.core.lists import MailingList
from listserve.extensions import db


def render_detail(announcement, status: int = 200, error: str | None = None, **forms):
    shows_mail()
    revision = announcement.current_revision
    approvals = services.current_approvals(announcement)
    mailing_list = db.session.get(MailingList, announcement.list_id)
    is_sender = current_user.id == announcement.author_id or current_user.is_admin
    approved_hash = services.set_hash(announcement)  # approvals bind every language's version
    forms.setdefault("approve_form", ApproveForm(formdata=None,
                                                 data={"revision_hash": approved_hash}))
    forms.setdefault("comment_form", CommentForm(formdata=None))
    forms.setdefault("send_form", SendForm(formdata=None))
    forms.setdefault("schedule_form", ScheduleForm(formdata=None, prefix="schedule"))
    return render_template(
        "announcements/detail.html",
        announcement=announcement,
        revision=revision,
        preview=render_email(services.content_of(revision), PREVIEW_UNSUBSCRIBE_URL,
                             mailing_list=mailing_list),
        approvals=approvals,
        required=mailing_list.required_approvals,
        mailing_list=mailing_list,
        can_approve=services.may_approve(announcement, current_user)
        and all(approval.member_id != current_user.id for approval in approvals),
        is_sender=is_sender,
        comments=services.list_comments(announcement),
        progress=announcement_progress(announcement),
        translation_languages=services.translation_languages(),
        zone=member_zone().key,
        error=error,
        **forms,
    ), status


def render_confirm_send(announcement, form, status: int = 200, error: str | None = None):
    approvals = services.current_approvals(announcement)
    mailing_list = db.session.get(MailingList, announcement.list_id)
    return render_template(
        "announcements/confirm_send.html",
        announcement=announcement,
        revision=announcement.current_revision,
        mailing_list=mailing_list,
        recipients=recipient_count(announcement),
        approvals=approvals,
        required=mailing_list.required_approvals,
        may_send=current_user.id == announcement.author_id or current_user.is_admin,
        form=form,
        error=error,
    ), status
