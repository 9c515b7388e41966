"""Every route of the url_map, every method it takes, anonymous and as a committee admin, with
hostile values in its URL variables, its query string and its form fields (under a valid CSRF
token, so they reach the view), and bodies of the wrong kind: no answer may be a 5xx.

Routes come from app.url_map and real values for their variables from the site's own links,
so the walk needs no list of routes and no endpoint names. The values are fixed (no random
draws): a failure names its route and the requests that gave the 5xx.
"""

import itertools

import pytest

from listserve import create_app
from listserve.extensions import db
from tests.archive.helpers import add_comment, make_post
from tests.committee.helpers import log_in, make_member
from tests.conftest import _base_config
from tests.hardening import route_walk as walk
from tests.subscriptions.helpers import subscribe
from tests.support import CSRF, empty_all_tables

HIGH_LIMITS = {key: "100000 per minute" for key in
               ("LOGIN_RATE_LIMIT", "SUBSCRIBE_RATE_LIMIT", "COMMENT_RATE_LIMIT")}


def _rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "only-for-listing-routes",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [(rule.rule, tuple(walk.methods_of(rule))) for rule in walk.walkable_rules(app)]


RULES = _rules()
_admins = itertools.count()


@pytest.fixture(scope="module")
def site(database_url, smtp_sink, tmp_path_factory):
    """One app with content of every kind, and what crawls of it found (as an admin and
    anonymously), for the module."""
    app = create_app({**_base_config(database_url, smtp_sink.port,
                                     tmp_path_factory.mktemp("walk")), **HIGH_LIMITS})
    _seed(app)
    admin = app.test_client()
    log_in(admin, "walker@example.org")
    starts = ["/"] + [walk.fill(rule, {}) for rule in walk.walkable_rules(app)
                      if not rule.arguments and "GET" in rule.methods]
    maps = {"admin": walk.crawl(admin, app, starts),
            "anonymous": walk.crawl(app.test_client(), app, starts)}
    # Values and parameter names are shared (anyone may try them); forms are what each sees.
    for one, other in itertools.permutations(maps.values()):
        for rule, args in other.arguments.items():
            one.arguments.setdefault(rule, args)
        one.parameters |= other.parameters
    yield app, maps
    with app.app_context():
        empty_all_tables(db)
        db.engine.dispose()


def _seed(app) -> None:
    from tests.announcements.helpers import write_draft

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    make_member(app, "walker@example.org", role="admin")
    make_member(app, "colleague@example.org")
    with app.app_context():
        post = make_post()
        add_comment(post, "A first comment.")
        db.session.commit()
    subscribe(app.test_client(), "reader@example.net", "Reader")
    drafter = app.test_client()
    log_in(drafter, "colleague@example.org")
    write_draft(drafter)


def _client_as(app, who: str):
    client = app.test_client()
    if who == "admin":
        # A fresh admin for every route: a walk that disables or demotes members (or logs out)
        # never leaves the next route's walk without its login.
        email = f"walker{next(_admins)}@example.org"
        make_member(app, email, role="admin")
        assert log_in(client, email).status_code == 303
    return client


def _token(client, site_map) -> str:
    for path in sorted(site_map.forms):
        page = client.get(path)
        match = CSRF.search(page.get_data(as_text=True)) if page.status_code == 200 else None
        if match:
            return match.group(1)
    raise AssertionError("no page with a CSRF token found")


def _requests(rule, methods, site_map, token):
    """(method, url, keyword arguments for client.open) for one rule."""
    for args in walk.real_arguments(rule, site_map):
        url = walk.fill(rule, args)
        for path in walk.hostile_paths(rule, args):
            for method in methods:
                yield method, path, {"data": {"csrf_token": token}} if method != "GET" else {}
        for method in methods:
            if method == "GET":
                for query in walk.hostile_queries(site_map.parameters):
                    yield method, f"{url}?{query}", {}
                continue
            for body in walk.form_bodies(site_map.forms.get(url, [])):
                yield method, url, {"data": {"csrf_token": token, **body}}
            for odd in walk.odd_bodies(token):
                yield method, url, odd
        # Only the first set of real values gets the hostile paths above; the others only
        # their real URL, to keep the walk short.
        break


def _describe(method, url, kwargs) -> str:
    body = kwargs.get("data") or kwargs.get("json")
    shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v)
             for k, v in body.items()} if isinstance(body, dict) else repr(body)[:80]
    return f"{method} {url[:160]}{'…' if len(url) > 160 else ''} {shown or ''}"


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_form_refused_for_a_nul_comes_back_with_what_was_typed(site, who):
    """Each form the site shows (committee forms included), sent with a NUL in its text, by
    each of its buttons: it is not taken (no redirect, no 5xx), and every text field a person
    can reach shows again what was typed in it."""
    app, site_maps = site
    site_map = site_maps[who]
    client = _client_as(app, who)
    token = _token(client, site_map)
    failures, tried = [], 0
    for action, forms in sorted(site_map.forms.items()):
        for form in forms:
            reachable = sorted(form.text_fields - form.honeypots)
            if form.method != "POST" or not reachable:
                continue
            typed = {name: f"typed-{i}-kept" for i, name in enumerate(reachable)}
            for button in form.buttons or [None]:
                tried += 1
                body = {**form.fields, **typed, reachable[0]: typed[reachable[0]] + "\x00",
                        **({button[0]: button[1]} if button else {}), "csrf_token": token}
                response = client.post(action, data=body)
                page = response.get_data(as_text=True)
                lost = [name for name, text in typed.items() if text not in page]
                if response.status_code not in (200, 400, 422) or lost:
                    failures.append(f"{action} {button}: {response.status_code}, lost {lost}")
    assert tried >= (10 if who == "admin" else 2), f"only {tried} forms found"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["anonymous", "admin"])
@pytest.mark.parametrize(("rule_text", "methods"), RULES,
                         ids=[f"{' '.join(m)} {r}" for r, m in RULES])
def test_no_hostile_request_gets_a_server_error(site, rule_text, methods, who):
    app, site_maps = site
    site_map = site_maps[who]
    rule = next(r for r in walk.walkable_rules(app)
                if r.rule == rule_text and tuple(walk.methods_of(r)) == methods)
    client = _client_as(app, who)
    token = _token(client, site_map)
    failures = []
    for method, url, kwargs in _requests(rule, methods, site_map, token):
        try:
            response = client.open(url, method=method, **kwargs)
            response.close()
            status = response.status_code
        except Exception as error:  # noqa: BLE001 (TESTING propagates; a 500 in production)
            status = f"500 {type(error).__name__}: {str(error)[:200]}"
        if str(status).startswith("5"):
            failures.append(f"{status} <- {_describe(method, url, kwargs)}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:15])
