"""Signing on as a visitor does: the real form, the real mail, the real button."""

from tests.support import csrf_token

ORGANISATION = {
    "kind": "organisation", "email": "coop@example.org", "name": "Riverside Worker Co-op",
    "contact_name": "Dana Contact", "sector": "cooperatives", "region": "Springfield, MA",
    "country": "USA", "website": "https://riverside.example.org",
    "description": "A bakery owned by its workers.", "affiliation": "",
    "shown_fields": ["sector", "region", "website"], "agrees": "y",
}


def sign_on(client, expect=200, **changes):
    page = client.get("/join").get_data(as_text=True)
    principles = page.split('name="principles" type="hidden" value="')[1].split('"')[0]
    data = {**ORGANISATION, "csrf_token": csrf_token(page), "principles": principles, **changes}
    response = client.post("/join", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def press_button(client, link: str, expect=200):
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    response = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == expect
    return response


def mail_link(smtp_sink, deliver, email, fragment) -> str:
    deliver()
    mails = smtp_sink.to(email)
    assert mails, f"no mail to {email}"
    return mails[-1].link_to(fragment)
