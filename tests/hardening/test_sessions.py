"""A visitor's session cookie: signed, readable by Flask's own cookie session and back (so an
upgrade or a key rotation keeps people's forms working), and never shared through a cache."""

from flask.sessions import SecureCookieSessionInterface

from tests.support import csrf_token


def stock_serializer(app):
    return SecureCookieSessionInterface().get_signing_serializer(app)


def test_a_response_that_sets_the_session_cookie_says_it_varies_on_cookies(client):
    for page in ("/archive/announcements/", "/subscribe"):
        fresh = client.__class__(client.application)
        response = fresh.get(page)
        assert "session=" in response.headers["Set-Cookie"], page
        # Otherwise a shared cache could hand this visitor's cookie to the next one.
        assert "Cookie" in response.headers["Vary"], page
        again = fresh.get(page)  # the page still depends on the cookie it was sent with
        assert "Cookie" in again.headers["Vary"], page


def test_the_session_cookie_is_flask_s_own(app, client):
    body = client.get("/archive/announcements/").get_data(as_text=True)
    session = stock_serializer(app).loads(client.get_cookie("session").value)
    assert set(session) == {"csrf_token"}
    assert csrf_token(body) != session["csrf_token"]  # the page carries a signed token


def test_a_session_flask_signed_keeps_its_form_working(app, client):
    cookie = stock_serializer(app).dumps({"csrf_token": "f" * 40})
    client.set_cookie("session", cookie)
    token = csrf_token(client.get("/ecosystem").get_data(as_text=True))
    assert "Set-Cookie" not in client.get("/ecosystem").headers  # nothing new to store
    response = client.post("/subscribe", data={"csrf_token": token, "email": "ana@example.org"})
    assert response.status_code == 303


def test_a_session_signed_with_a_retired_key_still_works(app, client):
    cookie = stock_serializer(app).dumps({"csrf_token": "f" * 40})
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key-for-this-test"
    client.set_cookie("session", cookie)
    token = csrf_token(client.get("/ecosystem").get_data(as_text=True))
    response = client.post("/subscribe", data={"csrf_token": token, "email": "ana@example.org"})
    assert response.status_code == 303


def test_a_tampered_session_is_a_new_one(app, client):
    cookie = stock_serializer(app).dumps({"csrf_token": "f" * 40})
    client.set_cookie("session", cookie[:-3] + ("AAA" if cookie[-3:] != "AAA" else "BBB"))
    client.get("/ecosystem")
    session = stock_serializer(app).loads(client.get_cookie("session").value)
    assert session["csrf_token"] != "f" * 40
