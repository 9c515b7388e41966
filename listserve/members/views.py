"""The public side: signing on, the address check, the directory, a member's own entry."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from listserve.core.addresses import InvalidAddress
from listserve.core.forms import ButtonForm
from listserve.core.headers import UnsafeHeaderValue
from listserve.core.link_views import button_link
from listserve.core.ratelimits import rate_limits
from listserve.core.tokens import TokenError
from listserve.extensions import db
from listserve.members import bp, directory, notices, services
from listserve.members.forms import EntryForm, SignOnForm
from listserve.members.sectors import SECTORS
from listserve.subscriptions.services import Request

CHECK_INBOX = _l("Almost there: we sent you an email. Press the button in it to confirm your "
               "address; the committee then reads your request.")


def _sign_on_page(form: SignOnForm, status: int = 200, problem: str = ""):
    digest, text = services.current_principles()
    if not form.principles.data or status == 200:
        form.principles.data = digest
    return render_template("members/join.html", form=form, principles=text,
                           problem=problem), status


def _draft(form, **extra) -> services.MemberDraft:
    return services.MemberDraft(
        name=form.name.data or "", contact_name=form.contact_name.data or "",
        sector=form.sector.data or "", region=form.region.data or "",
        country=form.country.data or "", website=form.website.data or "",
        description=form.description.data or "", affiliation=form.affiliation.data or "",
        shown_fields=tuple(form.shown_fields.data or ()), **extra)


@bp.get("/join")
def join():
    return _sign_on_page(SignOnForm(formdata=None))


@bp.post("/join")
@rate_limits.limit("SUBSCRIBE_RATE_LIMIT")
def sign_on():
    form = SignOnForm()
    if not form.validate_on_submit():
        return _sign_on_page(form, 400, _("Please correct what is marked below."))
    if form.nickname.data:  # a bot filled the honeypot: answer as for a person
        flash(str(CHECK_INBOX))
        return redirect(url_for("members.join"), 303)
    draft = _draft(form, kind=form.kind.data, email=form.email.data,
                   wants_list=form.wants_list.data)
    origin = Request(source=f"web form {request.path}", ip=request.remote_addr,
                     user_agent=request.user_agent.string)
    try:
        services.sign_on_member(draft, origin, form.principles.data)
    except (InvalidAddress, UnsafeHeaderValue, services.MemberRefused) as exc:
        db.session.rollback()
        return _sign_on_page(form, 400, str(exc))
    db.session.commit()
    return render_template("members/check_inbox.html", message=CHECK_INBOX)


@bp.route("/join/verify/<token>", methods=["GET", "POST"])
def verify(token: str):
    return button_link(
        ButtonForm(), lambda: services.verify_member(token),
        lambda: notices.member_for_verification(token),
        done=lambda member: render_template("members/verified.html", member=member),
        page=lambda member: render_template("members/verify.html", member=member,
                                            form=ButtonForm()),
        bad_link="members/bad_link.html",
    )


@bp.get("/members")
def directory_page():
    query = request.args.get("q", "")[:200]
    sector = request.args.get("sector", "")[:40]
    region = request.args.get("region", "")[:120]
    return render_template(
        "members/directory.html", entries=directory.search_directory(query, sector, region),
        query=query, sector=sector, region=region, sectors=SECTORS,
        regions=directory.shown_regions())


def _entry_or_404(token: str):
    try:
        return notices.member_for_entry(token)
    except TokenError:
        abort(404)


@bp.route("/members/entry/<token>", methods=["GET", "POST"])
def entry(token: str):
    member = _entry_or_404(token)
    form = EntryForm(obj=member) if request.method == "GET" else EntryForm()
    problem = ""
    if form.validate_on_submit():
        try:
            services.update_member(member, _draft(form, kind=member.kind))
        except (UnsafeHeaderValue, services.MemberRefused) as exc:
            db.session.rollback()
            problem = str(exc)
        else:
            db.session.commit()
            flash(_("Your entry is saved."))
            return redirect(url_for("members.entry", token=token), 303)
    elif request.method == "POST":
        problem = _("Please correct what is marked below.")
    status = 400 if request.method == "POST" else 200
    return render_template("members/entry.html", member=member, form=form, problem=problem,
                           withdraw_form=ButtonForm(), token=token), status


@bp.post("/members/entry/<token>/withdraw")
def withdraw(token: str):
    member = _entry_or_404(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.withdraw_member(member)
    db.session.commit()
    return render_template("members/withdrawn.html")
