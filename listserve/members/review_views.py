"""The committee's side (routes on the members.review blueprint): the entries, a decision with
a message, and the CSV export."""

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from listserve.committee.auth import member_required
from listserve.core.forms import Form
from listserve.extensions import db
from listserve.members import directory, services
from listserve.members import review_bp as bp
from listserve.members.models import Member, MemberStatus
from listserve.members.sectors import sector_label

# A sign-on's status as the committee reads it.
STATUS_LABELS = {MemberStatus.UNVERIFIED: _l("unverified"), MemberStatus.PENDING: _l("pending"),
                 MemberStatus.APPROVED: _l("approved"), MemberStatus.DECLINED: _l("declined")}


def member_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


class DecisionForm(Form):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                   SelectChoice("decline", _l("Decline"))],
                          validators=[DataRequired()])
    message = TextAreaField(_l("Message to the member"),
                            validators=[Optional(), Length(max=2000)])


@bp.get("")
@member_required
def entries():
    status = request.args.get("status", MemberStatus.PENDING)
    if status not in set(MemberStatus):
        status = MemberStatus.PENDING
    shown = db.session.scalars(sa.select(Member).filter_by(status=status).order_by(Member.id))
    return render_template("members/review/index.html", members=list(shown), status=status,
                           counts=directory.member_counts(), statuses=list(MemberStatus),
                           member_status_label=member_status_label)


@bp.route("/<int:member_id>", methods=["GET", "POST"])
@member_required
def decide(member_id: int):
    # An id the database could not hold is a page that does not exist, not an overflow.
    member = (db.session.get(Member, member_id) if 0 < member_id < 2**31 else None) or abort(404)
    form = DecisionForm()
    problem = ""
    if form.validate_on_submit():
        try:
            services.decide_member(member, current_user, form.decision.data == "approve",
                                   form.message.data)
        except services.MemberRefused as exc:
            db.session.rollback()
            problem = str(exc)
        else:
            db.session.commit()
            flash(_("%(name)s: %(status)s.", name=member.name,
                    status=member_status_label(member.status)))
            return redirect(url_for("members.review.entries"), 303)
    elif request.method == "POST":
        problem = _("Please choose approve or decline.")
    status = 400 if request.method == "POST" else 200
    return render_template("members/review/member.html", member=member, form=form,
                           problem=problem, sector_label=sector_label,
                           member_status_label=member_status_label), status


@bp.get("/export.csv")
@member_required
def export():
    return Response(directory.export_csv(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=network-members.csv"})
