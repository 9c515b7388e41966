"""Drafting: the list of announcements, writing and editing, preview, revisions and diffs."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from listserve.announcements import bp, drafts, services, shows_mail
from listserve.announcements.content import PREVIEW_UNSUBSCRIBE_URL, Content, render_email
from listserve.announcements.content import next_steps_markdown as steps_markdown
from listserve.announcements.forms import DraftForm
from listserve.announcements.page import render_detail
from listserve.committee.auth import member_required
from listserve.core.arguments import int_arg
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.lists import MailingList, all_lists, get_default_list
from listserve.extensions import db
from listserve.public.services import list_next_steps


def announcement_or_404(announcement_id: int):
    announcement = services.get_announcement(announcement_id)
    if announcement is None:
        abort(404)
    return announcement


@bp.get("/")
@member_required
def index():
    return render_template("announcements/index.html",
                           announcements=services.list_announcements(),
                           mine=drafts.my_drafts(current_user),
                           to_review=drafts.waiting_for_review(current_user))


def _draft_form(**data) -> DraftForm:
    form = DraftForm(data=data or None)
    form.list_id.choices = [(m.id, f"{m.name} ({m.address})")
                            for m in all_lists(include_archived=False)]
    if data.get("list_id") is None and request.method != "POST":
        form.list_id.data = get_default_list().id
    steps = list_next_steps()
    form.pull_steps.choices = [SelectChoice(step.id, step.title) for step in steps]
    # Items ticked on the public next-steps page are pulled into the block as Markdown.
    chosen = [step for step in steps if step.id in (form.pull_steps.data or [])]
    if chosen and request.method == "POST":
        current = (form.next_steps.data or "").rstrip()
        form.next_steps.data = "\n".join(filter(None, [current, steps_markdown(chosen)]))
        form.pull_steps.data = []
    return form


def _preview(form: DraftForm):
    content = Content(form.subject.data or "", form.body.data or "", form.next_steps.data or "")
    return render_email(content, PREVIEW_UNSUBSCRIBE_URL)


def _editor(form, announcement=None, status=200):
    shows_mail()
    preview = _preview(form) if request.form.get("action") == "preview" else None
    announcement_list = announcement and db.session.get(MailingList, announcement.list_id)
    return render_template("announcements/edit.html", form=form, announcement=announcement,
                           announcement_list=announcement_list, preview=preview), status


@bp.route("/new", methods=["GET", "POST"])
@member_required
def new():
    form = _draft_form()
    if request.form.get("action") != "save" or not form.validate_on_submit():
        status = 400 if request.form.get("action") == "save" else 200
        return _editor(form, status=status)
    try:
        announcement = services.create_announcement(
            current_user, form.subject.data, form.body.data, form.next_steps.data or "",
            mailing_list=form.list_id.data and db.session.get(MailingList, form.list_id.data),
        )
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        db.session.rollback()
        form.body.errors = [str(exc)]
        return _editor(form, status=400)
    db.session.commit()
    flash(_("Draft saved as revision 1."))
    return redirect(url_for("announcements.detail", announcement_id=announcement.id), 303)


@bp.route("/<int:announcement_id>/edit", methods=["GET", "POST"])
@member_required
def edit(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    current = announcement.current_revision
    form = _draft_form(subject=current.subject, body=current.body, next_steps=current.next_steps,
                       list_id=announcement.list_id)
    # The list is chosen with the first revision; edits keep it.
    form.list_id.choices = [(announcement.list_id, "")]
    form.list_id.data = announcement.list_id
    if request.form.get("action") != "save" or not form.validate_on_submit():
        status = 400 if request.form.get("action") == "save" else 200
        return _editor(form, announcement, status)
    try:
        revision = services.save_revision(announcement, current_user, form.subject.data,
                                          form.body.data, form.next_steps.data or "")
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        db.session.rollback()
        form.body.errors = [str(exc)]
        return _editor(form, announcement, 400)
    db.session.commit()
    flash(_("Saved as revision %(number)s; earlier approvals no longer count.",
            number=revision.number)
          if revision else _("Nothing changed, so no new revision was saved."))
    return redirect(url_for("announcements.detail", announcement_id=announcement.id), 303)


@bp.post("/preview.json")
@member_required
def preview():
    """The live preview: the form as typed, rendered exactly as the email would be."""
    form = DraftForm()
    form.list_id.choices = []  # the preview does not depend on the list
    form.validate()
    rendered = _preview(form)
    return jsonify(subject=rendered.subject, html=rendered.html, text=rendered.text)


@bp.get("/<int:announcement_id>")
@member_required
def detail(announcement_id: int):
    return render_detail(announcement_or_404(announcement_id))


@bp.get("/<int:announcement_id>/revisions")
@member_required
def revisions(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    return render_template("announcements/revisions.html", announcement=announcement)


@bp.get("/<int:announcement_id>/revisions/<int:number>")
@member_required
def revision(announcement_id: int, number: int):
    announcement = announcement_or_404(announcement_id)
    found = services.get_revision(announcement, number) or abort(404)
    rendered = render_email(services.content_of(found), PREVIEW_UNSUBSCRIBE_URL)
    shows_mail()
    return render_template("announcements/revision.html", announcement=announcement,
                           revision=found, preview=rendered)


@bp.get("/<int:announcement_id>/diff")
@member_required
def diff(announcement_id: int):
    announcement = announcement_or_404(announcement_id)
    latest = announcement.latest_revision
    new_number = int_arg("to") or latest.number
    before = announcement.previous_of(latest)  # the same language's revision before it
    old_number = int_arg("from") or (before.number if before else max(latest.number - 1, 1))
    old = services.get_revision(announcement, old_number) or abort(404)
    new = services.get_revision(announcement, new_number) or abort(404)
    return render_template("announcements/diff.html", announcement=announcement, old=old,
                           new=new, lines=services.diff_revisions(old, new))
