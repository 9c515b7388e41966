"""The archive import reads the common shapes of messages without the email package's parser
(issue 24's import speed). Whatever shape a message has, what is stored of it (text,
attachments, subject, author, date, threading headers) is what the email package's reading
gives: every message here is read both ways and compared; so are the mbox's splitting, the
dates and the archive's folding of quoted lines, against the patterns they replaced."""

import base64
import quopri
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.policy import compat32

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listserve.archive import mbox_import
from listserve.archive.message_text import _quoted_runs

FROM_LINE = b"From someone@example.org Mon Mar  4 10:00:00 2019\n"
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def by_email_package(raw: bytes) -> mbox_import.Parsed:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mbox_import, "_parts", lambda headers, body: None)
        patch.setattr(mbox_import, "_filename", lambda part: part.get_filename())
        patch.setattr(mbox_import, "_boundary", lambda part: part.get_boundary())
        patch.setattr(mbox_import, "_charset", lambda part: part.get_content_charset())
        return mbox_import.parse_message(raw, FROM_LINE)


def fast_path_taken(raw: bytes) -> bool:
    head, _, body = raw.partition(b"\n\n")
    headers = mbox_import._simple_headers(head)
    return headers is not None and (mbox_import._is_plain_text(headers)
                                    or mbox_import._parts(headers, body) is not None)


def read_both_ways(raw: bytes):
    """(by the import as it runs, by the email package); either may be an error."""
    results = []
    for read in (lambda: mbox_import.parse_message(raw, FROM_LINE),
                 lambda: by_email_package(raw)):
        try:
            results.append(read())
        except Exception as error:  # the import counts the message as malformed
            results.append(f"{type(error).__name__}: {error}")
    return results


def same_either_way(raw: bytes) -> None:
    fast, slow = read_both_ways(raw)
    assert fast == slow, raw


TEXTS = st.sampled_from([
    "Hello all,\nsee you at the café.\n", "> quoted\nanswer\n", "", "\n\n", "Ünïcödé – “quotes”",
    "line with trailing spaces   \nand = signs = here\n", "--not a boundary\n", "Привет, мир",
    "From the start of a line\n", "a\n\n\nb", "€ 5,00", "tab\there", "<b>html</b> &amp;",
]) | st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r"), max_size=60)
CHARSETS = st.sampled_from(["utf-8", "UTF-8", "iso-8859-1", "windows-1252", "koi8-r",
                            "us-ascii", "x-unknown-charset", '"utf-8"', "utf-8 ", None])
ENCODINGS = st.sampled_from(["7bit", "8bit", "quoted-printable", "base64", "Base64",
                             "QUOTED-PRINTABLE", "binary", "x-uuencode", None])
FILENAMES = st.sampled_from([
    None, "a.pdf", '"a b.pdf"', '"map.pdf"', "=?utf-8?q?caf=C3=A9.txt?=",
    '"=?utf-8?b?Y2Fmw6kucGRm?="', "utf-8''caf%C3%A9.pdf", '""', '"<x.txt>"', "x;y",
    '"semi;colon.txt"', '"back\\\\slash"', '"two"quotes"', "<angle.txt>", "'tick.txt'",
])
MORE_PARAMETERS = st.sampled_from(["", "; charset=iso-8859-1", '; name="second.pdf"',
                                   "; filename=second.txt", "; x=1", ";", "; =", '; "q"=1',
                                   "; CHARSET=koi8-r", "; boundary=z"])
BOUNDARIES = st.sampled_from(["B", "==_b0und4ry_42", "x y", "simple-boundary", "a=b",
                              "----=_NextPart_000_0001_01C9.ABCDEF"])


def encode(text: str, charset: str | None, encoding: str | None) -> bytes:
    label = (charset or "us-ascii").strip('" ').lower()
    try:
        data = text.encode(label)
    except (LookupError, UnicodeError):
        data = text.encode("utf-8")
    kind = (encoding or "").lower()
    if kind == "quoted-printable":
        return quopri.encodestring(data)
    if kind == "base64":
        return base64.encodebytes(data)
    return data


@st.composite
def leaf(draw, fields=None) -> bytes:
    """One part: a text, an HTML text or an attachment, with some of its headers."""
    kind = draw(st.sampled_from(["text/plain", "text/html", "application/pdf", "image/png",
                                 "TEXT/PLAIN", "text/plain/odd", None]))
    charset, encoding = draw(CHARSETS), draw(ENCODINGS)
    filename = draw(FILENAMES)
    disposition = draw(st.sampled_from([None, "attachment", "inline", "ATTACHMENT", "form-data"]))
    lines = []
    if kind is not None:
        value = kind
        if charset is not None:
            value += f"; charset={charset}"
        if filename is not None and draw(st.booleans()):
            value += f"; name={filename}"
        value += draw(MORE_PARAMETERS)
        if draw(st.booleans()):
            value = value.replace("; ", ";\n\t", 1)  # folded
        lines.append(f"Content-Type: {value}")
    if disposition is not None:
        value = disposition
        if filename is not None:
            star = "*" if "''" in filename else ""
            value += f"; filename{star}={filename}"
        value += draw(MORE_PARAMETERS)
        lines.append(f"Content-Disposition: {value}")
    if encoding is not None:
        lines.append(f"Content-Transfer-Encoding: {encoding}")
    if draw(st.booleans()):
        lines.append("X-Extra: something: else")
    body = encode(draw(TEXTS), charset, encoding)
    if fields is not None:
        fields.append(lines)
    return "\n".join(lines).encode() + b"\n\n" + body


@st.composite
def multipart(draw, depth=0) -> tuple[str, bytes]:
    """(its Content-Type, its body): parts, some nested, with a preamble and an epilogue."""
    boundary = draw(BOUNDARIES)
    subtype = draw(st.sampled_from(["mixed", "alternative", "related", "MIXED", "digest"]))
    quoted = '"' if " " in boundary or "=" in boundary or draw(st.booleans()) else ""
    ctype = f"multipart/{subtype}; boundary={quoted}{boundary}{quoted}"
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        if depth < 1 and draw(st.integers(0, 4)) == 0:
            inner_type, inner_body = draw(multipart(depth + 1))
            parts.append(f"Content-Type: {inner_type}\n\n".encode() + inner_body)
        else:
            parts.append(draw(leaf()))
    sep = f"--{boundary}".encode()
    trailing = draw(st.sampled_from([b"", b"  ", b"\t"]))
    body = draw(st.sampled_from([b"", b"This is a multi-part message in MIME format.\n"]))
    lookalikes = st.sampled_from(["", "--{}x", "--{}--x", "--{}-- \t", " --{}", "--{}  ", "--{}--"])
    for part in parts:
        lookalike = draw(lookalikes).format(boundary).encode()
        body += sep + trailing + b"\n" + part + (b"\n" + lookalike if lookalike else b"") + b"\n"
    body += sep + b"--" + draw(st.sampled_from([b"\n", b"\nepilogue\n", b"", b" \n"]))
    return ctype, body


def message(ctype: str | None, body: bytes, subject="Topic", extra=()) -> bytes:
    head = ["From: Ann <ann@example.net>", f"Subject: {subject}",
            "Date: Mon, 04 Mar 2019 10:00:00 +0000", "Message-ID: <m1@example.net>",
            "MIME-Version: 1.0", *extra]
    if ctype is not None:
        head.append(f"Content-Type: {ctype}")
    return "\n".join(head).encode() + b"\n\n" + body


@st.composite
def mutated(draw, raw: bytes) -> bytes:
    """The message with a few bytes changed, lines cut or repeated."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if operation == "cut":
            del data[at: at + draw(st.integers(1, 40))]
        elif operation == "insert":
            data[at:at] = draw(st.sampled_from([b"\n", b"\n\n", b"\r", b"--", b"\xe9", b":",
                                                b" ", b";", b'"', b"--B--\n", b"\n--B\n"]))
        else:
            end = data.find(b"\n", at)
            data[at:at] = data[at:end + 1 if end >= 0 else len(data)]
    return bytes(data)


@SETTINGS
@given(shape=multipart())
def test_a_multipart_message_is_stored_as_the_email_package_reads_it(shape):
    raw = message(*shape)
    same_either_way(raw)


@SETTINGS
@given(data=st.data())
def test_a_damaged_multipart_message_is_stored_as_the_email_package_reads_it(data):
    raw = data.draw(mutated(message(*data.draw(multipart()))))
    same_either_way(raw)


@SETTINGS
@given(part=leaf())
def test_a_one_part_message_is_stored_as_the_email_package_reads_it(part):
    head, _, body = part.partition(b"\n\n")
    raw = message(None, body, extra=head.decode().split("\n") if head else ())
    same_either_way(raw)


def test_the_common_shapes_take_the_fast_path_and_keep_their_text_and_attachments():
    mixed = message('multipart/mixed; boundary="XX"', (
        b"--XX\nContent-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n\n"
        b"> Shall we meet?\nOui, tr=E8s bien.\n"
        b'--XX\nContent-Type: application/pdf; name="map.pdf"\n'
        b'Content-Disposition: attachment; filename="map.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQ=\n--XX--\n"),
        subject="=?utf-8?q?Caf=C3=A9?=")
    alternative = message("multipart/alternative; boundary=alt", (
        "preamble\n--alt\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n\n"
        + base64.encodebytes("Grüße aus Köln\n".encode()).decode()
        + "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Grüße</p>\n--alt--\n").encode())
    nested = message("multipart/mixed; boundary=outer", (
        "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
        "--inner\nContent-Type: text/plain\n\nplain words\n"
        "--inner\nContent-Type: text/html\n\n<p>html words</p>\n--inner--\n"
        "--outer\nContent-Type: image/png\nContent-Disposition: attachment;\n"
        f" filename={Header('Bild ä.png', 'utf-8').encode()}\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--outer--\n").encode())
    html_only = message("text/html; charset=utf-8", b"<p>Who <b>repairs</b> bikes?</p>\n")
    for raw in (mixed, alternative, nested, html_only):
        assert fast_path_taken(raw)
        same_either_way(raw)

    read = mbox_import.parse_message(mixed, FROM_LINE)
    assert (read.subject, read.text) == ("Café", "> Shall we meet?\nOui, très bien.\n")
    assert [(a.filename, a.content_type, a.size) for a in read.attachments] == [
        ("map.pdf", "application/pdf", 8)]
    assert mbox_import.parse_message(alternative, FROM_LINE).text == "Grüße aus Köln\n"
    read = mbox_import.parse_message(nested, FROM_LINE)
    assert read.text == "plain words\n"
    assert [(a.filename, a.content_type, a.size) for a in read.attachments] == [
        ("Bild ä.png", "image/png", 8)]
    assert mbox_import.parse_message(html_only, FROM_LINE).text == "Who repairs bikes?\n"


@pytest.mark.parametrize("body", [
    b"--B\nContent-Type: text/plain\n\nno closing boundary\n",
    b"no boundary at all\n",
    b"--B--\n",
    b"--B\n--B\nContent-Type: text/plain\n\ntwo boundaries in a row\n--B--\n",
    b"--B\nContent-Type: message/rfc822\n\nFrom: x@example.org\n\nforwarded\n--B--\n",
    b"--B\nContent-Type: text/plain\n\nlone \r in a line\n--B--\n",
    b"--B\nContent-Type: text/plain; name=\xe9.txt\n\nnon-ASCII header\n--B--\n",
    b"--B\nContent-Type: text/plain\nno blank line after the headers\n--B--\n",
])
def test_unusual_multipart_messages_go_to_the_email_package(body):
    raw = message('multipart/mixed; boundary="B"', body)
    assert not fast_path_taken(raw)
    same_either_way(raw)


MBOX_PIECES = st.sampled_from([b"From ", b"From x@example.org Mon Mar  4 10:00:00 2019\n", b"\n",
                               b"\r\n", b"a line", b">From ", b">>From ", b"From", b" ", b"\r"])


def split_by_the_rule(data: bytes):
    """An mbox's messages as the import's documentation has them: split at "From " lines
    that follow a blank line, >From lines unquoted (the pattern the import used to run)."""
    data = data.replace(b"\r\n", b"\n")
    starts = [m for m in re.finditer(rb"^From [^\n]*\n", data, re.MULTILINE)
              if m.start() == 0 or data[m.start() - 2:m.start()] == b"\n\n"]
    for n, match in enumerate(starts, 1):
        body = data[match.end():starts[n].start() if n < len(starts) else len(data)]
        if body.startswith(b">From ") or b"\n>From " in body:
            body = re.sub(rb"(?m)^>(>*From )", rb"\1", body)
        yield n, match.group(0), body


@settings(max_examples=1000, deadline=None)
@given(pieces=st.lists(MBOX_PIECES, max_size=16))
def test_an_mbox_is_split_at_from_lines_after_a_blank_line(pieces):
    data = b"".join(pieces)
    assert list(mbox_import.split_mbox(data)) == list(split_by_the_rule(data))


QUOTED_RUN = re.compile(r"((?:^[ \t]*>.*(?:\n|\Z))+)", re.MULTILINE)


@settings(max_examples=1000, deadline=None)
@given(text=st.lists(st.sampled_from([">", "> x", ">>", "\n", "\n\n", " ", "\t", "a", "\r",
                                      "\x0b", "\u2028", "\x85", "é"]), max_size=16).map("".join))
def test_the_archive_folds_the_same_runs_of_quoted_lines(text):
    assert _quoted_runs(text) == QUOTED_RUN.split(text)


@settings(max_examples=1000, deadline=None)
@given(day_name=st.sampled_from(["", "Mon, ", "Sun, ", "Xyz, ", "Mon,"]),
       day=st.sampled_from(["1", "04", "29", "30", "31", "00", "7", "123"]),
       month=st.sampled_from(["Feb", "Apr", "Dec", "jan", "Sept"]),
       year=st.sampled_from(["2019", "1999", "9999", "1000", "0099", "99", "20190"]),
       time=st.tuples(st.integers(0, 25), st.integers(0, 61), st.integers(0, 61)),
       zone=st.sampled_from(["+0000", "-0000", "+0530", "-1200", "+2359", "+2400", "-0099",
                             "GMT", "+00000", " (UTC)"]),
       tail=st.sampled_from(["", " ", " (CET)"]))
def test_a_date_header_is_read_as_the_email_package_reads_it(day_name, day, month, year, time,
                                                             zone, tail):
    value = f"{day_name}{day} {month} {year} {time[0]:02d}:{time[1]:02d}:{time[2]:02d} " \
            f"{zone}{tail}"
    results = []
    for read in (mbox_import._date, mbox_import.date_by_email_package):
        try:
            results.append(read(value, FROM_LINE))
        except Exception as error:  # the import counts the message as malformed
            results.append(type(error))
    assert results[0] == results[1]
    if isinstance(results[0], datetime):
        assert results[0].tzinfo is results[1].tzinfo is UTC


HEADER_PIECES = st.sampled_from(["Subject", "subject", "X-A", ":", "::", " ", "\t", "\n", "\n ",
                                 "\n\t", "a", "Re: x", "From ", "\r", "é", "=?utf-8?q?a?="])


@settings(max_examples=1000, deadline=None)
@given(block=st.lists(st.one_of(
    st.tuples(st.sampled_from(["Subject", "subject", "X-A", "From", "a", "Re"]),
              st.sampled_from([":", ": ", ":\t", "::", " :"]),
              st.lists(HEADER_PIECES, max_size=4).map("".join)).map("".join),
    st.lists(HEADER_PIECES, min_size=1, max_size=4).map("".join)), min_size=1, max_size=6)
    .map("\n".join))
def test_a_header_block_read_here_is_read_as_the_email_package_reads_it(block):
    fields = mbox_import._simple_headers(block.encode())
    if fields is None:
        return  # left to the email package
    parsed = message_from_bytes(block.encode() + b"\n\n", policy=compat32)
    assert not parsed.defects and parsed.get_payload() == ""
    assert sorted(fields) == sorted({name.lower() for name in parsed})
    assert all(fields[name] == parsed.get(name) for name in fields)
