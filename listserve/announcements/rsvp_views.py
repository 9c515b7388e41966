"""Readers' side of an announcement's events (routes on the `events` blueprint): the .ics,
the answer (yes / no / maybe) and the button that proves it; and the events block of the
archive page (a panel the archive shows without importing this feature)."""

from flask import Response, abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.announcements import events, rsvp
from listserve.announcements import events_bp as bp
from listserve.announcements.calendar import event_ics, web_calendar_link
from listserve.announcements.event_forms import RsvpForm
from listserve.core.addresses import InvalidAddress
from listserve.core.forms import ButtonForm
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.link_views import button_link
from listserve.core.ratelimits import rate_limits
from listserve.extensions import db

CHECK_INBOX = _l("Almost there: we sent you an email. Press the button in it and your answer "
                 "counts; its confirmation brings the event for your calendar.")


def post_events(post) -> dict | None:
    """The archive post page's events, with an empty answer form each (None: no events)."""
    shown = events.events_of(getattr(post, "announcement_id", None))
    if not shown:
        return None
    return {"events": [(e, events.when_text(e), web_calendar_link(e)) for e in shown],
            "form": RsvpForm(formdata=None)}


def _event_or_404(event_id: int):
    return rsvp.open_event(event_id) or abort(404)


@bp.get("/<int:event_id>.ics")
def calendar_file(event_id: int):
    event = _event_or_404(event_id)
    return Response(event_ics(event, events.event_page_url(event)), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=event.ics"})


def _answer_page(event, form, status=200, problem=""):
    return render_template("announcements/events/rsvp.html", event=event,
                           when=events.when_text(event), form=form, problem=problem), status


@bp.route("/<int:event_id>/rsvp", methods=["GET", "POST"])
@rate_limits.limit("RSVP_RATE_LIMIT")
def answer(event_id: int):
    event = _event_or_404(event_id)
    form = RsvpForm()
    if not form.validate_on_submit():
        if not form.is_submitted():
            return _answer_page(event, RsvpForm(formdata=None))
        return _answer_page(event, form, 400, _("Please correct what is marked below."))
    if form.website.data:  # a bot filled the honeypot: answer as for a person
        return render_template("announcements/events/check_inbox.html", message=CHECK_INBOX)
    draft = rsvp.RsvpDraft(answer=form.answer.data, name=form.name.data,
                           email=form.email.data, note=form.note.data or "")
    try:
        rsvp.submit_rsvp(event, draft)
    except (InvalidAddress, UnsafeHeaderValue, rsvp.RsvpRefused) as exc:
        db.session.rollback()
        return _answer_page(event, form, 400, str(exc))
    db.session.commit()
    return render_template("announcements/events/check_inbox.html", message=CHECK_INBOX)


@bp.route("/answers/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    return button_link(
        ButtonForm(), lambda: rsvp.confirm_rsvp(token), lambda: rsvp.rsvp_for_confirmation(token),
        done=lambda answer: render_template("announcements/events/confirmed.html", rsvp=answer,
                                            when=events.when_text(answer.event)),
        page=lambda answer: render_template("announcements/events/confirm.html", rsvp=answer,
                                            when=events.when_text(answer.event),
                                            form=ButtonForm()),
        bad_link="announcements/events/bad_link.html",
    )
