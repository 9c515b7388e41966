"""Editing the ecosystem directory (routes on the public.editor blueprint)."""

from flask import abort, render_template, request
from flask_login import current_user

from listserve.committee.auth import member_required
from listserve.core.forms import ButtonForm
from listserve.public import directory_editing as directory
from listserve.public import editor_bp as bp
from listserve.public.editor_forms import EntryForm, SectionForm
from listserve.public.editor_views import _get_or_404, _saved
from listserve.public.models import EcosystemEntry, EcosystemSection

BACK = "public.editor.ecosystem"


def _entry_input(form: EntryForm) -> directory.EntryInput:
    return directory.EntryInput(
        name=form.name.data, url=form.url.data, abbreviation=form.abbreviation.data or "",
        sector=form.sector.data or "", description=form.description.data or "",
    )


def _press(change: str, changes: dict):
    """A button (move up, move down, remove) pressed on the directory editor."""
    if change not in changes:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _saved(changes[change], BACK) or abort(400)


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400


@bp.post("/ecosystem/sections")
@member_required
def add_section():
    form = SectionForm()
    if form.validate_on_submit():
        done = _saved(lambda: directory.add_section(current_user, form.title.data,
                                                    form.kind.data), BACK)
        if done:
            return done
    return _form_page("public/editor/edit_section.html", form, section=None)


@bp.route("/ecosystem/sections/<int:section_id>", methods=["GET", "POST"])
@member_required
def edit_section(section_id: int):
    section = _get_or_404(EcosystemSection, section_id)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        done = _saved(lambda: directory.update_section(current_user, section, form.title.data,
                                                       form.kind.data), BACK)
        if done:
            return done
    if request.method == "GET":
        return render_template("public/editor/edit_section.html", form=form, section=section)
    return _form_page("public/editor/edit_section.html", form, section=section)


@bp.post("/ecosystem/sections/<int:section_id>/<change>")
@member_required
def change_section(section_id: int, change: str):
    section = _get_or_404(EcosystemSection, section_id)
    return _press(change, {
        "up": lambda: directory.move_section(current_user, section, -1),
        "down": lambda: directory.move_section(current_user, section, 1),
        "remove": lambda: directory.remove_section(current_user, section),
    })


@bp.post("/ecosystem/sections/<int:section_id>/entries")
@member_required
def add_entry(section_id: int):
    section = _get_or_404(EcosystemSection, section_id)
    form = EntryForm()
    if form.validate_on_submit():
        done = _saved(lambda: directory.add_entry(current_user, section, _entry_input(form)),
                      BACK)
        if done:
            return done
    return _form_page("public/editor/edit_entry.html", form, section=section, entry=None)


@bp.route("/ecosystem/entries/<int:entry_id>", methods=["GET", "POST"])
@member_required
def edit_entry(entry_id: int):
    entry = _get_or_404(EcosystemEntry, entry_id)
    form = EntryForm(obj=entry)
    if form.validate_on_submit():
        done = _saved(lambda: directory.update_entry(current_user, entry, _entry_input(form)),
                      BACK)
        if done:
            return done
    if request.method == "GET":
        return render_template("public/editor/edit_entry.html", form=form, section=entry.section,
                               entry=entry)
    return _form_page("public/editor/edit_entry.html", form, section=entry.section, entry=entry)


@bp.post("/ecosystem/entries/<int:entry_id>/<change>")
@member_required
def change_entry(entry_id: int, change: str):
    entry = _get_or_404(EcosystemEntry, entry_id)
    return _press(change, {
        "up": lambda: directory.move_entry(current_user, entry, -1),
        "down": lambda: directory.move_entry(current_user, entry, 1),
        "remove": lambda: directory.remove_entry(current_user, entry),
    })
