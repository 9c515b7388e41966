"""Admins' settings pages for the lists: every list, a new one, one list's settings, archiving."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from listserve.committee import bp
from listserve.committee.auth import admin_required
from listserve.committee.list_forms import ListForm
from listserve.committee.list_settings import ListSettingsError, change_list, create_list
from listserve.core.forms import ButtonForm
from listserve.core.lists import MailingList, all_lists
from listserve.extensions import db


@bp.get("/lists")
@admin_required
def lists():
    return render_template("committee/lists.html", lists=all_lists(), button=ButtonForm())


@bp.route("/lists/new", methods=["GET", "POST"])
@admin_required
def new_list():
    form = ListForm()
    if request.method == "GET":
        form.consent_text.data = current_app.config["CONSENT_TEXT"]
    elif form.validate_on_submit():
        try:
            mailing_list = create_list(current_user, form.slug.data, form.settings())
        except ListSettingsError as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
        else:
            db.session.commit()
            flash(_("The list %(address)s is ready.", address=mailing_list.address))
            return redirect(url_for("committee.lists"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("committee/list_edit.html", form=form, mailing_list=None), status


def _list_or_404(list_id: int) -> MailingList:
    mailing_list = db.session.get(MailingList, list_id) if list_id < 2**31 else None
    if mailing_list is None:
        abort(404)
    return mailing_list


@bp.route("/lists/<int:list_id>", methods=["GET", "POST"])
@admin_required
def edit_list(list_id: int):
    mailing_list = _list_or_404(list_id)
    form = ListForm(obj=mailing_list if request.method == "GET" else None)
    if request.method == "GET":
        form.required_approvals.data = str(mailing_list.required_approvals)
    elif form.validate_on_submit():
        try:
            changes = change_list(current_user, mailing_list, form.settings())
        except ListSettingsError as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
        else:
            db.session.commit()
            flash(_("Saved.") if changes else _("Nothing changed."))
            return redirect(url_for("committee.lists"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("committee/list_edit.html", form=form,
                           mailing_list=mailing_list), status


@bp.post("/lists/<int:list_id>/archive")
@admin_required
def archive_list(list_id: int):
    """Archive a list, or bring an archived one back (the button says which)."""
    mailing_list = _list_or_404(list_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    change_list(current_user, mailing_list, {"archived": not mailing_list.archived})
    db.session.commit()
    flash(_("%(list)s is archived.", list=mailing_list.name) if mailing_list.archived
          else _("%(list)s is back in use.", list=mailing_list.name))
    return redirect(url_for("committee.lists"), 303)
