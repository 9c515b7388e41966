"""Translations of an announcement: the committee writes the default language first, then adds
each other language in an editor that shows the source beside the translation."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from listserve.announcements import bp, services
from listserve.announcements.forms import TranslationForm
from listserve.announcements.views import announcement_or_404
from listserve.committee.auth import member_required
from listserve.core.headers import UnsafeHeaderValue
from listserve.extensions import db


def _translation_editor(announcement, language, form, status=200):
    return render_template("announcements/translate.html", announcement=announcement,
                           language=language, source=announcement.current_revision,
                           translation=announcement.translations.get(language),
                           form=form), status


@bp.route("/<int:announcement_id>/translations/<language>", methods=["GET", "POST"])
@member_required
def translate(announcement_id: int, language: str):
    announcement = announcement_or_404(announcement_id)
    if language not in services.translation_languages():
        abort(404)
    current = announcement.translations.get(language)
    form = TranslationForm(data={"subject": current.subject, "body": current.body,
                                 "next_steps": current.next_steps} if current else None)
    if request.method != "POST":
        return _translation_editor(announcement, language, form)
    if not form.validate_on_submit():
        return _translation_editor(announcement, language, form, 400)
    try:
        revision = services.save_translation(announcement, current_user, language,
                                             form.subject.data, form.body.data,
                                             form.next_steps.data or "")
    except (services.AnnouncementError, UnsafeHeaderValue) as exc:
        db.session.rollback()
        form.body.errors = [str(exc)]
        return _translation_editor(announcement, language, form, 400)
    db.session.commit()
    flash(_("Translation saved as revision %(number)s; earlier approvals no longer count.",
            number=revision.number) if revision
          else _("Nothing changed, so no new revision was saved."))
    return redirect(url_for("announcements.detail", announcement_id=announcement.id), 303)
