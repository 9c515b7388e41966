"""Issue 22, Done when line 2: a newcomer whose browser speaks Spanish (Accept-Language es)
subscribes, confirms from the mail, is welcomed, and opens their preferences: every page says
lang="es", and none shows a text of the same page's English render (the same page opened in
an English browser with ?lang=en); the mails say Content-Language: es and carry none of the
English texts of their templates.

Texts that are the same in both languages because they are data (the network's and the
list's names, the person's address, the list's consent text, which the committee writes and
each consent record keeps word for word) or names (the switcher's "English" and "Español")
are not counted. The journey starts on the subscribe page: the home page's aims and next
steps are the committee's content (their translations are another part of issue 22)."""

import re
from urllib.parse import urlsplit

from tests.browser.harness import PointerUser
from tests.browser.live_server import wait_for_mail
from tests.subscriptions.helpers import subscription_of

NEWCOMER = "ana@example.net"
# What the browser shows: visible text nodes, and the texts people read in attributes.
VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text && element && element.getClientRects().length) texts.push(text);
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = element.getAttribute(name);
      if (value) texts.push(value.trim());
    }
  }
  texts.push(document.title.trim());
  return texts;
}"""
# The English texts of the mails (templates/email/subscriptions/confirm and welcome).
ENGLISH_IN_MAIL = ["Someone, probably you", "To confirm", "press the Confirm", "The link works",
                   "ignore this", "Welcome", "You are now subscribed", "unsubscribe",
                   "Hello"]


def _words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{2,}", text))


def untranslated(spanish_page, english_page, data: set[str]) -> list[str]:
    """The texts of the English render that the Spanish page shows too."""
    spanish = set(spanish_page.evaluate(VISIBLE_TEXTS))
    english = english_page.evaluate(VISIBLE_TEXTS)
    names = {"English", "Español"} | data
    return sorted({text for text in english
                   if text in spanish and _words(text)
                   and _words(re.sub("|".join(map(re.escape, sorted(names, key=len,
                                                                     reverse=True))), "", text))})


def test_a_spanish_newcomer_subscribes_confirms_is_welcomed_and_sets_preferences(
        browse, app, smtp_sink):
    journey = browse(locale="es-ES", who="es")
    english = browse(locale="en-GB", who="en")
    person = PointerUser(journey.page)
    data = {app.config["NETWORK_NAME"], "Network announcements", NEWCOMER, "Ana",
            app.config["CONSENT_TEXT"]}
    problems = {}

    def compare(name: str, path: str) -> None:
        page = journey.page
        assert page.locator("html").get_attribute("lang") == "es", name
        english.open(path + ("&" if "?" in path else "?") + "lang=en", f"{name}-en")
        assert english.page.locator("html").get_attribute("lang") == "en"
        left = untranslated(page, english.page, data)
        if left:
            problems[name] = left

    page = journey.open("/subscribe", "subscribe")
    compare("subscribe", "/subscribe")
    person.fill("page-email", NEWCOMER)
    person.fill("page-name", "Ana")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    journey.check("check-your-inbox")
    compare("check-your-inbox", "/subscribe/check-your-inbox")

    confirmation = wait_for_mail(smtp_sink, NEWCOMER)[0]
    assert confirmation.message["Content-Language"] == "es"
    assert subscription_of(app, NEWCOMER).language == "es"
    mail_english = [phrase for phrase in ENGLISH_IN_MAIL
                    if phrase.lower() in (confirmation.message["Subject"] + "\n"
                                          + confirmation.text).lower()]
    if mail_english:
        problems["confirmation mail"] = mail_english

    link = urlsplit(confirmation.link_to("/confirm/")).path
    journey.open(link, "confirm")
    compare("confirm", link)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    journey.check("welcome")
    assert page.locator("html").get_attribute("lang") == "es"
    assert subscription_of(app, NEWCOMER).status == "confirmed"
    shown = " ".join(page.evaluate(VISIBLE_TEXTS))
    left = [phrase for phrase in ("Welcome aboard", "You are subscribed", "Your lists")
            if phrase in shown]
    if left:
        problems["welcome"] = left

    welcome = wait_for_mail(smtp_sink, NEWCOMER, count=2)[1]
    assert welcome.message["Content-Language"] == "es"
    mail_english = [phrase for phrase in ENGLISH_IN_MAIL
                    if phrase.lower() in (welcome.message["Subject"] + "\n"
                                          + welcome.text).lower()]
    if mail_english:
        problems["welcome mail"] = mail_english

    preferences = urlsplit(welcome.link_to("/u/")).path + "/lists"
    journey.open(preferences, "preferences")
    compare("preferences", preferences)
    assert page.locator("select[name=language]").input_value() == "es"

    assert not problems, "English left on the Spanish journey:\n" + "\n".join(
        f"  {name}: {texts}" for name, texts in problems.items())
