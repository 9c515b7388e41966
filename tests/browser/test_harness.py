"""The harness's own checks can fail: a page with a fault slipped in (by rewriting the
server's answer in the browser) is refused for that fault, and the XSS probe sees script
that runs."""

import pytest


def serve_home_with(journey, extra_html: str) -> None:
    """The real home page, its headers (and CSP) kept, with `extra_html` added to its body."""

    def rewrite(route):
        response = route.fetch()
        body = response.text().replace("</main>", extra_html + "</main>")
        route.fulfill(response=response, body=body)

    journey.page.route(journey.url("/"), rewrite)
    journey.page.goto(journey.url("/"))


@pytest.mark.parametrize(
    ("fault", "complaint"),
    [
        ("<script>document.title = 'inline';</script>", "CSP violations"),
        ("<p style='color: red'>styled inline</p>", "CSP violations"),
        ("<img src='/static/favicon.svg'>", "image-alt"),
        ("<img src='/static/no-such-file.png' alt='missing'>", "console errors"),
    ],
    ids=["inline-script", "inline-style", "image-without-alt", "missing-resource"],
)
def test_check_refuses_a_page_with_a_fault(browse, fault, complaint):
    journey = browse()
    serve_home_with(journey, fault)
    with pytest.raises(AssertionError, match=complaint):
        journey.check("faulty")


def test_check_accepts_the_page_without_the_fault(browse):
    journey = browse()
    serve_home_with(journey, "<p>An innocent paragraph.</p>")
    journey.check("innocent")


def test_xss_probe_sees_script_that_runs(xss_probe):
    probe = xss_probe()
    probe.page.set_content("<p>hello</p><img src='x' onerror='__xssHit()'>")
    assert probe.script_ran()


def test_xss_probe_sees_an_alert(xss_probe):
    probe = xss_probe()
    probe.page.set_content("<a href='javascript:alert(1)'>a link</a>")
    assert probe.script_ran()


def test_xss_probe_is_quiet_on_escaped_text(xss_probe):
    probe = xss_probe()
    probe.page.set_content("<p>&lt;img src=x onerror=__xssHit()&gt;</p>")
    assert not probe.script_ran()
