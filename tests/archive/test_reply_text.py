"""Emailed replies keep what the person wrote, without the quoted announcement or signature,
in the shapes the common mail clients write."""

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from listserve.archive.reply_text import cap_text, html_to_text, reply_body, trim_reply

GMAIL = """\
Count me in, I will bring soup.

See you Saturday!

On Tue, Mar 5, 2024 at 10:02 AM Listserve Announcements <
announcements@lists.example.org> wrote:

> Assembly on Saturday
>
> Come along to the hall at 10.
>
> --
> Leave the list with one click: http://localhost/u/abc
"""

APPLE_MAIL = """\
Count me in, I will bring soup.

Sent from my iPhone

> On 5 Mar 2024, at 10:02, Listserve Announcements <announcements@lists.example.org> wrote:
>
> Assembly on Saturday
> Come along to the hall at 10.
"""

APPLE_MAIL_DESKTOP = """\
Count me in, I will bring soup.

On 5 Mar 2024, at 10:02, Listserve Announcements <announcements@lists.example.org> wrote:

Assembly on Saturday
Come along to the hall at 10.
"""

OUTLOOK = """\
Count me in, I will bring soup.

Best regards,
Ana

-----Original Message-----
From: Listserve Announcements <announcements@lists.example.org>
Sent: Tuesday, March 5, 2024 10:02 AM
To: Ana <ana@example.org>
Subject: Assembly on Saturday

Come along to the hall at 10.
"""

OUTLOOK_WEB = """\
Count me in, I will bring soup.

________________________________
From: Listserve Announcements <announcements@lists.example.org>
Sent: Tuesday, March 5, 2024 10:02
To: ana@example.org <ana@example.org>
Subject: Assembly on Saturday

Come along to the hall at 10.
"""

OUTLOOK_NO_RULE = """\
Count me in, I will bring soup.

From: Listserve Announcements <announcements@lists.example.org>
Date: Tuesday, 5 March 2024 at 10:02
To: Ana <ana@example.org>
Subject: Assembly on Saturday

Come along to the hall at 10.
"""

THUNDERBIRD_INTERLEAVED = """\
On 05/03/2024 10:02, Listserve Announcements wrote:
> Assembly on Saturday
>
> Come along to the hall at 10.

Count me in, I will bring soup.

> Bring a chair if you can.

I have two chairs.

--\x20
Ana Lima
Neighbourhood food group
"""


@pytest.mark.parametrize("shape", [GMAIL, APPLE_MAIL, APPLE_MAIL_DESKTOP, OUTLOOK_WEB,
                                   OUTLOOK_NO_RULE])
def test_top_posted_replies_keep_only_the_answer(shape):
    assert trim_reply(shape) == "Count me in, I will bring soup." + (
        "\n\nSee you Saturday!" if shape is GMAIL else "")


def test_outlook_keeps_the_sign_off_above_the_original():
    assert trim_reply(OUTLOOK) == "Count me in, I will bring soup.\n\nBest regards,\nAna"


def test_an_interleaved_reply_keeps_each_answer_and_drops_the_signature():
    assert trim_reply(THUNDERBIRD_INTERLEAVED) == (
        "Count me in, I will bring soup.\n\nI have two chairs.")


def test_crlf_trailing_spaces_and_runs_of_blank_lines_are_normalised():
    assert trim_reply("  \r\nFirst line.   \r\n\r\n\r\n\r\nSecond\u00a0line.\r\n\r\n") == (
        "First line.\n\nSecond line.")


def test_a_reply_of_only_quotes_is_empty():
    assert trim_reply("On Tue, 5 Mar 2024, Ana wrote:\n> Hello\n> there\n") == ""
    assert trim_reply("> Hello\n\n-- \nAna\n") == ""


def test_words_that_only_look_like_an_attribution_are_kept():
    text = "On Saturday the hall opens at 9.\nMy neighbour wrote:\nshe will come too."
    assert trim_reply(text) == text
    assert trim_reply("On Saturday Ana wrote:\n> soup") == "On Saturday Ana wrote:"


def test_html_only_mail_becomes_text_and_its_blockquote_is_a_quote():
    markup = (
        '<html><head><style>p{color:red}</style></head><body><div dir="ltr">Count me '
        "<b>in</b>,&nbsp;I&#39;ll bring soup &amp; bread.<br>Ana</div><br>"
        '<div class="gmail_quote"><div class="gmail_attr">On Tue, Mar 5, 2024 at 10:02 AM '
        "Announcements &lt;announcements@lists.example.org&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Assembly on <i>Saturday</i>.</blockquote></div>'
        "</body></html>"
    )
    assert "> Assembly on Saturday." in html_to_text(markup)
    assert trim_reply(html_to_text(markup)) == "Count me in, I'll bring soup & bread.\nAna"


def test_the_plain_part_is_preferred_and_an_html_only_mail_is_read():
    msg = EmailMessage(policy=SMTP)
    msg.set_content("Plain words.\n")
    msg.add_alternative("<p>HTML words.</p>", subtype="html")
    assert reply_body(msg.as_bytes()).strip() == "Plain words."
    html_only = EmailMessage(policy=SMTP)
    html_only.set_content("<p>Only <em>HTML</em>.</p>", subtype="html")
    assert reply_body(html_only.as_bytes()).strip() == "Only HTML."


def test_a_message_with_a_charset_nobody_knows_is_still_read():
    raw = (b"From: a@example.org\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\n"
           b"Hello there.\r\n")
    assert reply_body(raw).strip() == "Hello there."



def test_a_message_with_no_text_part_has_no_body():
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "a@example.org"
    msg.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="soup.png")
    assert reply_body(msg.as_bytes()) == ""


def test_cap_text_cuts_at_a_word_and_stays_within_the_limit():
    capped = cap_text("word " * 100, 50)
    assert len(capped) <= 50 and capped.endswith(" …") and "wor …" not in capped
    assert cap_text("short", 50) == "short"
