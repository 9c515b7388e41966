"""Logging in and out, passwords, invites being accepted, a member's own settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from listserve.committee import bp, invites, services
from listserve.committee.audit import record_audit
from listserve.committee.auth import member_required, safe_next_url
from listserve.committee.forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
    SettingsForm,
)
from listserve.core.forms import ButtonForm
from listserve.core.ratelimits import RateLimited, rate_limits, retry_after
from listserve.core.tokens import TokenError, TokenExpired
from listserve.extensions import db


@bp.get("/")
@member_required
def home():
    return redirect(url_for("announcements.index"))


@bp.route("/login", methods=["GET", "POST"])
@rate_limits.limit("LOGIN_RATE_LIMIT")
def login():
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("announcements.index"))
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("committee/login.html", form=form), status
    try:
        member = services.authenticate_member(form.email.data, form.password.data)
    except services.LoginRefused as exc:
        db.session.commit()  # keep the failure count
        form.password.errors = [str(exc)]
        return render_template("committee/login.html", form=form), 401
    login_user(member)
    record_audit(member, "logged in", "member", member.id)
    db.session.commit()
    return redirect(safe_next_url(request.args.get("next"), url_for("announcements.index")), 303)


@bp.errorhandler(RateLimited)
def rate_limited(error: RateLimited):
    # Keep the address typed (never the password), with the one message for every refusal.
    typed = {"email": request.form.get("email", "")}
    message = _("Too many attempts from your address. Please wait a minute and try again.")
    if request.endpoint == "committee.request_reset":
        form = ResetRequestForm(formdata=None, data=typed)
        form.email.errors = [message]
        return render_template("committee/reset_request.html", form=form), 429, retry_after(error)
    form = LoginForm(formdata=None, data=typed)
    form.password.errors = [message]
    return render_template("committee/login.html", form=form), 429, retry_after(error)


@bp.post("/logout")
@member_required
def logout():
    if ButtonForm().validate_on_submit():
        logout_user()
    return redirect(url_for("committee.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@member_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.CommitteeError as exc:
            db.session.rollback()
            form.password.errors = [str(exc)]
        else:
            login_user(current_user)  # the session carries the new stamp
            db.session.commit()
            flash(_("Your password is changed; other sessions have been logged out."))
            return redirect(url_for("committee.settings"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("committee/password.html", form=form), status


@bp.route("/settings", methods=["GET", "POST"])
@member_required
def settings():
    form = SettingsForm(data={"time_zone": current_user.time_zone})
    if form.validate_on_submit():
        services.set_time_zone(current_user, form.time_zone.data)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("committee.settings"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("committee/settings.html", form=form), status


@bp.route("/reset", methods=["GET", "POST"])
@rate_limits.limit("LOGIN_RATE_LIMIT")
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        invites.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("committee/reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("committee/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_from_link(token, invites.RESET, invites.reset_password)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    return _set_password_from_link(token, invites.INVITE, invites.accept_invite)


def _set_password_from_link(token: str, purpose: str, use_link):
    form = NewPasswordForm()
    try:
        member = invites.member_for_token(purpose, token)
        if form.validate_on_submit():
            member = use_link(token, form.password.data)
            login_user(member)
            db.session.commit()
            flash(_("Your password is set. Welcome."))
            return redirect(url_for("announcements.index"), 303)
    except TokenExpired:
        return render_template("committee/bad_link.html", expired=True), 410
    except TokenError:
        return render_template("committee/bad_link.html", expired=False), 404
    except services.CommitteeError as exc:
        db.session.rollback()
        form.password.errors = [str(exc)]
    status = 400 if request.method == "POST" else 200
    return render_template(
        "committee/set_password.html", form=form, member=member, invite=purpose == invites.INVITE
    ), status
