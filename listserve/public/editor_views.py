"""Committee members edit the public pages; every save is a version with its author."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from listserve.committee.auth import member_required
from listserve.core.forms import ButtonForm
from listserve.extensions import db
from listserve.public import editing, services
from listserve.public import editor_bp as bp
from listserve.public.editor_forms import AimsForm, EntryForm, NextStepsForm, SectionForm

BLANK_STEPS = 2  # empty rows offered for new steps
# The pages as the editor names them (editing.PAGES keeps the English names for the audit log).
PAGE_NAMES = {"aims": _l("Aims"), "next_steps": _l("Next steps"),
              "ecosystem": _l("Ecosystem directory")}


def _saved(change, again: str, **values):
    """Run one edit; on PageEditError flash it and go back, else commit."""
    try:
        change()
    except editing.PageEditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    flash(_("Saved. The public page shows it now."))
    return redirect(url_for(again, **values), 303)


@bp.route("/aims", methods=["GET", "POST"])
@member_required
def aims():
    form = AimsForm()
    if form.validate_on_submit():
        aims = (form.aims.data or "").splitlines()  # a body may lack the field altogether
        done = _saved(lambda: editing.update_aims(current_user, aims), "public.editor.aims")
        if done:
            return done
    elif request.method == "GET":
        form.aims.data = "\n".join(aim.text for aim in services.list_aims())
    status = 400 if request.method == "POST" else 200
    return render_template("public/editor/edit_aims.html", form=form,
                           versions=editing.list_versions("aims")), status


def _steps_form() -> NextStepsForm:
    if request.method == "POST":
        return NextStepsForm()
    steps = [{"title": s.title, "status": s.status, "due": s.due, "owner": s.owner or "",
              "body": s.body} for s in services.list_next_steps()]
    return NextStepsForm(data={"steps": steps + [{}] * BLANK_STEPS})


@bp.route("/next-steps", methods=["GET", "POST"])
@member_required
def next_steps():
    form = _steps_form()
    if form.validate_on_submit():
        steps = [editing.StepInput(**row.data) for row in form.steps if row.title.data.strip()]
        done = _saved(lambda: editing.update_next_steps(current_user, steps),
                      "public.editor.next_steps")
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render_template("public/editor/edit_next_steps.html", form=form,
                           versions=editing.list_versions("next_steps")), status


@bp.get("/ecosystem")
@member_required
def ecosystem():
    return render_template("public/editor/edit_ecosystem.html", sections=services.list_sections(),
                           section_form=SectionForm(), entry_form=EntryForm, button=ButtonForm(),
                           versions=editing.list_versions("ecosystem"))


@bp.get("/versions/<int:version_id>")
@member_required
def version(version_id: int):
    page_version = editing.get_version(version_id)
    if page_version is None:
        abort(404)
    return render_template("public/editor/page_version.html", version=page_version,
                           page_name=PAGE_NAMES.get(page_version.page, page_version.page))


def _get_or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found
