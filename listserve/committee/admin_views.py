"""Admins' pages: the committee's members (invite, role, disable) and the audit log."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from listserve.committee import bp, invites, services
from listserve.committee.audit import audit_choices, list_audit_events, readable_detail
from listserve.committee.auth import admin_required
from listserve.committee.forms import InviteForm, RoleForm
from listserve.core.addresses import InvalidAddress
from listserve.core.forms import ButtonForm
from listserve.core.headers import UnsafeHeaderValue
from listserve.extensions import db


@bp.get("/members")
@admin_required
def members():
    return render_template(
        "committee/members.html", members=services.list_members(), button=ButtonForm(),
        role_form=RoleForm,
    )


@bp.route("/members/invite", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            member = invites.invite_member(
                current_user, form.email.data, form.name.data, form.role.data
            )
        except (services.CommitteeError, InvalidAddress, UnsafeHeaderValue) as exc:
            db.session.rollback()
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=member.email))
            return redirect(url_for("committee.members"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("committee/invite.html", form=form), status


def _member_or_404(member_id: int):
    member = services.get_member(member_id)
    if member is None:
        abort(404)
    return member


def _apply(change) -> object:
    try:
        change()
    except services.CommitteeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("committee.members"), 303)
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("committee.members"), 303)


@bp.post("/members/<int:member_id>/role")
@admin_required
def change_role(member_id: int):
    member = _member_or_404(member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(lambda: services.set_member_role(current_user, member, form.role.data))


@bp.post("/members/<int:member_id>/disable")
@admin_required
def disable_member(member_id: int):
    member = _member_or_404(member_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _apply(lambda: services.set_member_enabled(current_user, member, False))


@bp.post("/members/<int:member_id>/enable")
@admin_required
def enable_member(member_id: int):
    member = _member_or_404(member_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _apply(lambda: services.set_member_enabled(current_user, member, True))


def _audit_filters() -> dict:
    def typed(name: str, longest: int) -> str | None:
        # NUL never matches a stored value, and PostgreSQL refuses it in a query.
        return request.args.get(name, "").replace("\x00", "").strip()[:longest] or None

    subject_id = request.args.get("id", type=int)
    return {
        "subject_type": typed("type", 40),
        "subject_id": subject_id if subject_id is not None and 0 <= subject_id < 2**31 else None,
        "action": typed("action", 40),
        "actor": typed("who", 200),
    }


@bp.get("/audit")
@admin_required
def audit_log():
    filters = _audit_filters()
    events = list_audit_events(**filters, newest_first=True)
    actions, types = audit_choices()
    return render_template("committee/audit.html", events=events, filters=filters,
                           actions=actions, types=types, readable=readable_detail)


@bp.get("/audit.csv")
@admin_required
def audit_csv():
    events = list_audit_events(**_audit_filters(), limit=100_000, newest_first=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("when (UTC)"), _("who"), _("what"), _("about"), _("id"),
                     _("revision hash"), _("detail")])
    for event in events:
        detail = "; ".join(f"{key}: {value}" for key, value in readable_detail(event.detail))
        writer.writerow([_cell(value) for value in (
            event.at.isoformat(timespec="seconds"), event.actor_label, event.action,
            event.subject_type, event.subject_id or "", event.revision_hash or "", detail)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})


def _cell(value) -> str:
    """A spreadsheet must not run a formula someone typed as their name."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
