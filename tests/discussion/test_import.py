"""`listserve archive import`: an mbox built here (multipart, RFC 2047 subjects, a broken
message, a duplicate) and a Mailman 2 pipermail .txt.gz, threads rebuilt, a second import
changing nothing."""

import gzip
import re

import sqlalchemy as sa

from listserve.archive.models import Post
from listserve.extensions import db
from tests.discussion.helpers import discussion_list

MBOX = b"""From ann@example.net Mon Mar  4 10:00:00 2019
From: =?utf-8?q?Ann_=C3=89lise?= <ann@example.net>
Subject: =?utf-8?b?Q2Fmw6kgbWVldGluZw==?=
Date: Mon, 04 Mar 2019 10:00:00 +0000
Message-ID: <m1@example.net>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Shall we meet at the caf=C3=A9?
From the committee, with love.

From bob@example.org Mon Mar  4 12:00:00 2019
From: Bob <bob@example.org>
Subject: Re: =?utf-8?b?Q2Fmw6kgbWVldGluZw==?=
Date: Mon, 04 Mar 2019 12:00:00 +0000
Message-ID: <m2@example.org>
In-Reply-To: <m1@example.net>
References: <m1@example.net>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

> Shall we meet?
Oui, tr=E8s bien.
--XX
Content-Type: application/pdf; name="map.pdf"
Content-Disposition: attachment; filename="map.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQ=
--XX--

From nobody Mon Mar  4 13:00:00 2019
this line is no header at all
and neither is this one

From bob@example.org Mon Mar  4 12:00:00 2019
From: Bob <bob@example.org>
Subject: Re: Cafe meeting (the same message again)
Date: Mon, 04 Mar 2019 12:00:00 +0000
Message-ID: <m2@example.org>

A duplicate.

From cy@example.com Tue Mar  5 09:00:00 2019
From: cy@example.com
Subject: Bikes
Date: Tue, 05 Mar 2019 09:00:00 +0000
Message-ID: <m3@example.com>
Content-Type: text/html; charset=utf-8

<p>Who <b>repairs</b> bikes?</p>
"""

PIPERMAIL = b"""From ann at example.net  Sat Jan  5 10:00:00 2008
From: ann at example.net (Ann Old)
Date: Sat, 05 Jan 2008 10:00:00 +0100
Subject: [Talk] Old times
Message-ID: <p1@example.net>

The first archived message.

From bob at example.org  Sat Jan  5 11:00:00 2008
From: bob at example.org (Bob Old)
Date: Sat, 05 Jan 2008 11:00:00 +0100
Subject: [Talk] Re: Old times
In-Reply-To: <p1@example.net>
References: <p1@example.net>
Message-ID: <p2@example.org>

> The first archived message.
And a reply.

"""


def posts(app):
    with app.app_context():
        return [(p.subject, p.author_name, p.author_email, p.thread_id, p.id, p.body_markdown)
                for p in db.session.scalars(sa.select(Post).order_by(Post.published_at))]


def test_an_mbox_imports_decoded_threaded_and_only_once(app, runner, tmp_path, client):
    discussion_list(app)
    path = tmp_path / "talk.mbox"
    path.write_bytes(MBOX)
    first = runner.invoke(args=["archive", "import", str(path), "--list", "talk"])
    assert first.exit_code == 0, first.output
    assert "3 imported, 1 already there, 1 malformed, 2 new threads" in first.output
    assert "message 3 could not be read" in first.output
    found = posts(app)
    assert [p[0] for p in found] == ["Café meeting", "Re: Café meeting", "Bikes"]
    assert found[0][1] == "Ann Élise" and "Shall we meet at the café?" in found[0][5]
    assert "From the committee, with love." in found[0][5]  # a "From " line inside a body
    assert "Oui, très bien." in found[1][5]
    assert found[1][3] == found[0][4]  # the reply is in the first message's thread
    assert "Who repairs bikes?" in found[2][5]
    page = client.get(f"/archive/talk/thread/{found[0][4]}").get_data(as_text=True)
    assert "map.pdf" in page and "très bien" in page

    again = runner.invoke(args=["archive", "import", str(path), "--list", "talk"])
    assert "0 imported, 4 already there, 1 malformed" in again.output
    assert posts(app) == found


def test_a_pipermail_txt_gz_imports_with_its_addresses_and_threads(app, runner, tmp_path):
    discussion_list(app)
    path = tmp_path / "2008-January.txt.gz"
    path.write_bytes(gzip.compress(PIPERMAIL))
    result = runner.invoke(args=["archive", "import", str(path), "--list", "talk"])
    assert result.exit_code == 0, result.output
    assert "2 imported, 0 already there, 0 malformed, 1 new threads" in result.output
    found = posts(app)
    assert [(p[1], p[2]) for p in found] == [("Ann Old", "ann@example.net"),
                                             ("Bob Old", "bob@example.org")]
    assert found[1][3] == found[0][4]
    assert re.search(r"imported", runner.invoke(
        args=["archive", "import", str(path), "--list", "talk"]).output)
    assert len(posts(app)) == 2


def test_an_unknown_list_is_a_clear_error(app, runner, tmp_path):
    path = tmp_path / "x.mbox"
    path.write_bytes(MBOX)
    result = runner.invoke(args=["archive", "import", str(path), "--list", "nope"])
    assert result.exit_code != 0 and "No list 'nope'" in result.output
