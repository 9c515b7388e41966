"""The committee's side of an announcement's events: add, change (a new time mails those who
answered), remove before sending; the answers, their counts, the attendee list and export."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from listserve.announcements import bp, events, rsvp
from listserve.announcements.event_forms import EventForm
from listserve.announcements.event_models import AnnouncementEvent
from listserve.announcements.views import announcement_or_404
from listserve.committee.auth import member_required
from listserve.core.forms import ButtonForm
from listserve.extensions import db


def _announcement_or_404(announcement_id: int):
    if not events.fits_id(announcement_id):
        abort(404)
    return announcement_or_404(announcement_id)


def _event_or_404(announcement_id: int, event_id: int) -> AnnouncementEvent:
    event = db.session.get(AnnouncementEvent, event_id) if events.fits_id(event_id) else None
    if event is None or event.announcement_id != announcement_id:
        abort(404)
    return event


def _draft(form: EventForm) -> events.EventDraft:
    return events.EventDraft(title=form.title.data, starts=form.starts.data,
                             ends=form.ends.data, time_zone=form.time_zone.data,
                             place=form.place.data or "", online_url=form.online_url.data or "",
                             description=form.description.data or "")


def _page(announcement, form, event=None, status=200, problem=""):
    return render_template("announcements/events/edit.html", announcement=announcement,
                           events=events.events_of(announcement.id), form=form, event=event,
                           problem=problem, counts={e.id: rsvp.answer_counts(e)
                                                    for e in events.events_of(announcement.id)},
                           remove_form=ButtonForm()), status


def _form_for(event: AnnouncementEvent | None) -> EventForm:
    if request.method == "POST":
        return EventForm()
    if event is None:
        return EventForm(formdata=None, time_zone=current_user.time_zone or "UTC")
    start, end = events.local_start(event), events.local_end(event)
    return EventForm(formdata=None, obj=event, starts=start.replace(tzinfo=None),
                     ends=end.replace(tzinfo=None))


def _save(announcement, event: AnnouncementEvent | None):
    form = _form_for(event)
    if form.validate_on_submit():
        try:
            if event is None:
                events.add_event(announcement, _draft(form), current_user)
                flash(_("Event added."))
            else:
                updates = events.change_event(event, _draft(form), current_user)
                flash(ngettext("Event saved; %(num)d update sent to those who answered.",
                               "Event saved; %(num)d updates sent to those who answered.",
                               updates)
                      if updates else _("Event saved."))
        except events.EventRefused as exc:
            db.session.rollback()
            return _page(announcement, form, event, 400, str(exc))
        db.session.commit()
        return redirect(url_for("announcements.events_page", announcement_id=announcement.id), 303)
    if request.method == "POST":
        return _page(announcement, form, event, 400, _("Please correct what is marked below."))
    return _page(announcement, form, event)


@bp.route("/<int:announcement_id>/events", methods=["GET", "POST"])
@member_required
def events_page(announcement_id: int):
    return _save(_announcement_or_404(announcement_id), None)


@bp.route("/<int:announcement_id>/events/<int:event_id>", methods=["GET", "POST"])
@member_required
def edit_event(announcement_id: int, event_id: int):
    return _save(_announcement_or_404(announcement_id),
                 _event_or_404(announcement_id, event_id))


@bp.post("/<int:announcement_id>/events/<int:event_id>/remove")
@member_required
def remove_event(announcement_id: int, event_id: int):
    announcement = _announcement_or_404(announcement_id)
    event = _event_or_404(announcement_id, event_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        events.remove_event(event, current_user)
    except events.EventRefused as exc:
        db.session.rollback()
        return _page(announcement, EventForm(formdata=None), None, 409, str(exc))
    db.session.commit()
    flash(_("Event removed."))
    return redirect(url_for("announcements.events_page", announcement_id=announcement_id), 303)


@bp.get("/<int:announcement_id>/events/<int:event_id>/answers")
@member_required
def answers(announcement_id: int, event_id: int):
    announcement = _announcement_or_404(announcement_id)
    event = _event_or_404(announcement_id, event_id)
    return render_template("announcements/events/answers.html", announcement=announcement,
                           event=event, when=events.when_text(event),
                           counts=rsvp.answer_counts(event), attendees=rsvp.attendees(event))


@bp.get("/<int:announcement_id>/events/<int:event_id>/answers.csv")
@member_required
def answers_csv(announcement_id: int, event_id: int):
    _announcement_or_404(announcement_id)
    event = _event_or_404(announcement_id, event_id)
    return Response(rsvp.attendees_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=answers-{event.id}.csv"})

