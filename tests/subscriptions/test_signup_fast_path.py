"""A subscribe POST the form would accept is read without making the form
(forms.accepted_signup): it must accept exactly what SubscribeForm accepts, with the same data,
and a page refused afterwards must look as it did."""

import re

from flask import g
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from listserve.subscriptions import views
from listserve.subscriptions.forms import Signup, SubscribeForm, accepted_signup
from tests.support import csrf_token

FIELDS = ["email", "name", "website", "lists", "choosing", "csrf_token", "other"]
# What people and robots type, and what the checks turn on: line breaks, NUL and other
# control characters, spaces only, numbers with signs, spaces and underscores, lengths at
# the limits (320 for the email, 200 for the name, 200 for the stored list ids).
awkward = st.sampled_from(["", " ", "\0", "\n", "\r\n", "\x85", "\u2028", "\x7f", "\t", "x",
                           "@", "1", "-1", "0", " 7 ", "+3", "1_0", "٣", "2147483647",
                           "2147483648", "99999999999", "a@example.org", "on"])
values = st.one_of(
    awkward,
    st.text(max_size=12),
    st.integers(min_value=-5, max_value=2**31 + 5).map(str),
    st.builds(lambda n, c: c * n, st.sampled_from([199, 200, 201, 319, 320, 321]),
              st.sampled_from(["a", "é", "\0"])),
    st.lists(awkward, max_size=4).map("".join),
)
many_lists = st.lists(st.integers(min_value=1, max_value=10**9).map(str), min_size=20,
                      max_size=40).map(lambda ids: [("choosing", "1"),
                                                    *(("lists", i) for i in ids)])
pairs = st.one_of(
    st.lists(st.tuples(st.sampled_from(FIELDS), values), max_size=10),
    many_lists,
)


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=pairs)
@example(typed=[("email", "a" * 320), ("name", "n" * 200)])
@example(typed=[("email", "a" * 321)])
@example(typed=[("email", "a"), ("name", "n" * 201)])
@example(typed=[("email", "a"), ("lists", "2147483647"), ("lists", "1")])
@example(typed=[("email", "a"), ("lists", "2147483648")])
@example(typed=[("email", "a"), ("choosing", "1"), ("lists", "0")])
def test_the_fast_read_accepts_exactly_what_the_form_accepts(app, typed):
    with app.test_request_context("/subscribe", method="POST", data=MultiDict(typed)):
        g.csrf_valid = True  # as CSRFProtect leaves it before the view
        fast = accepted_signup()
        form = SubscribeForm()
        accepted = form.validate_on_submit()
        assert (fast is not None) == accepted, (typed, form.errors)
        if accepted:
            assert fast == Signup.of(form)
            assert [type(i) for i in fast.list_ids or []] == [int] * len(fast.list_ids or [])


def test_nothing_is_read_past_a_csrf_check_not_done(app):
    typed = MultiDict({"email": "a@example.org", "csrf_token": "forged"})
    with app.test_request_context("/subscribe", method="POST", data=typed):
        assert accepted_signup() is None  # the form checks the token itself
        g.csrf_valid = True
        assert accepted_signup() == Signup("a@example.org", None, None, None)


def test_a_typical_sign_up_is_read_without_the_form(app, client, monkeypatch):
    made = []
    monkeypatch.setattr(views, "SubscribeForm",
                        lambda *a, **k: made.append(1) or SubscribeForm(*a, **k))
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    made.clear()
    response = client.post("/subscribe", data={"csrf_token": token, "email": "kim@example.org",
                                               "name": "Kim", "choosing": "1", "lists": "1"})
    assert response.status_code == 303
    assert made == []


def _page(response) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", response.get_data(as_text=True))


def test_an_address_refused_after_the_fast_read_shows_the_page_the_form_showed(
    app, client, monkeypatch
):
    token = csrf_token(client.get("/subscribe").get_data(as_text=True))
    typed = MultiDict([("csrf_token", token), ("email", "kim@example"), ("name", "Kim"),
                       ("choosing", "1"), ("lists", "1"), ("lists", " 1 ")])

    def post():
        return client.post("/subscribe", data=typed, headers={"Accept-Language": "es"})

    fast = post()
    monkeypatch.setattr(views, "accepted_signup", lambda: None)
    slow = post()
    assert fast.status_code == slow.status_code == 400
    assert _page(fast) == _page(slow)
    assert "kim@example" in _page(fast)
