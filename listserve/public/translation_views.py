"""The committee translates the public pages: each text of the page in the default language
beside a field for its translation."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from listserve.committee.auth import member_required
from listserve.core.forms import NUL_MESSAGE, ButtonForm
from listserve.extensions import db
from listserve.public import editing, translations
from listserve.public import editor_bp as bp


@bp.route("/<page>/translations/<language>", methods=["GET", "POST"])
@member_required
def translate(page: str, language: str):
    if page not in translations.TRANSLATED_PAGES \
            or language not in translations.translation_languages():
        abort(404)
    form = ButtonForm()  # the CSRF token (checked for every POST); the fields: the texts
    typed = None
    if request.method == "POST" and form.validate_on_submit():
        typed = {key[len("t-"):]: value for key, value in request.form.items()
                 if key.startswith("t-")}
        if not any("\0" in value for value in typed.values()):
            kept = translations.save_translation(page, language, current_user, typed)
            db.session.commit()
            flash(_("Saved %(count)s translated texts. The public page shows them now.",
                    count=kept))
            return redirect(url_for("public.editor.translate", page=page, language=language),
                            303)
        # Refused: every text comes back as typed, each NUL shown as U+FFFD.
        typed = {key: value.replace("\0", "\ufffd") for key, value in typed.items()}
    shown = translations.get_translations(page, language)
    rows = [(key, text, typed.get(key, "") if typed is not None else shown.get(text, ""))
            for text in translations.source_texts(page)
            for key in (translations.text_key(text),)]
    answer = render_template("public/editor/translate_page.html", form=form, page=page,
                             page_name=editing.PAGES[page], language=language, rows=rows,
                             refused=NUL_MESSAGE if typed is not None else None)
    return answer, 400 if typed is not None else 200
