"""`listserve dkim keygen` and `check`, against a DNS server on loopback that dnspython asks."""

import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.delivery.dkim_support import dns_for, pem, verified
from tests.delivery.dns_zone import TxtZone
from tests.delivery.helpers import add_confirmed, announce

DOMAIN = "lists.example.org"
GOOD_MAIL_DNS = {f"_dmarc.{DOMAIN}": ["v=DMARC1; p=quarantine"], DOMAIN: ["v=spf1 mx -all"]}


@pytest.fixture
def zone():
    served = TxtZone(GOOD_MAIL_DNS)
    yield served
    served.close()


def published(output: str) -> str:
    """The TXT record keygen told the operator to publish."""
    return next(line.strip() for line in output.splitlines()
                if line.strip().startswith("v=DKIM1"))


def keygen(app, runner, tmp_path, *args) -> tuple[str, str]:
    """Make a key, configure it as the output says; (its selector's record, the output)."""
    if "--out" not in args:
        selector = args[args.index("--selector") + 1]
        args = (*args, "--out", str(tmp_path / "keys" / f"{selector}.pem"))
    result = runner.invoke(args=["dkim", "keygen", *args])
    assert result.exit_code == 0, result.output
    settings = dict(line.strip().removeprefix("LISTSERVE_").split("=", 1)
                    for line in result.output.splitlines()
                    if line.strip().startswith("LISTSERVE_"))
    app.config.update(settings)
    return published(result.output), result.output


def check(runner, zone):
    return runner.invoke(args=["dkim", "check", "--nameserver", zone.address])


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_record(
        app, runner, tmp_path):
    record, output = keygen(app, runner, tmp_path, "--selector", "s2026")
    path = app.config["DKIM_PRIVATE_KEY_PATH"]
    assert path.endswith("s2026.pem")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert record.startswith("v=DKIM1; k=rsa; p=MII")
    assert f"s2026._domainkey.{DOMAIN}" in output
    again = runner.invoke(args=["dkim", "keygen", "--selector", "s2026", "--out", path])
    assert again.exit_code != 0
    assert "exists already" in again.output and "new selector" in again.output


def test_a_key_from_keygen_signs_mail_that_verifies_with_its_record(
        app, runner, tmp_path, deliver, smtp_sink):
    rsa_record, _ = keygen(app, runner, tmp_path, "--selector", "r1")
    ed_record, _ = keygen(app, runner, tmp_path, "--selector", "e1", "--ed25519")
    assert ed_record.startswith("v=DKIM1; k=ed25519; p=")
    add_confirmed(app, ["ann@example.net"])
    announce(app)
    deliver()
    [copy] = smtp_sink.to("ann@example.net")
    dns = dns_for({f"r1._domainkey.{DOMAIN}.": rsa_record.encode(),
                   f"e1._domainkey.{DOMAIN}.": ed_record.encode()})
    assert verified(copy.data, dns) == [True, True]


def test_check_passes_when_dns_publishes_the_configured_keys(app, runner, tmp_path, zone):
    rsa_record, _ = keygen(app, runner, tmp_path, "--selector", "r1")
    ed_record, _ = keygen(app, runner, tmp_path, "--selector", "e1", "--ed25519")
    zone.publish(f"r1._domainkey.{DOMAIN}", rsa_record)
    zone.publish(f"e1._domainkey.{DOMAIN}", ed_record)
    result = check(runner, zone)
    assert result.exit_code == 0, result.output
    assert f"OK: r1._domainkey.{DOMAIN}: the published key is the configured RSA key (2048 " \
           "bits)." in result.output
    assert f"OK: e1._domainkey.{DOMAIN}: the published key is the configured Ed25519 key." \
           in result.output
    assert "DKIM d=lists.example.org aligns with the From domain" in result.output
    assert result.output.rstrip().endswith("DKIM is in order.")


def test_check_says_when_the_record_is_missing(app, runner, tmp_path, zone):
    keygen(app, runner, tmp_path, "--selector", "r1")
    result = check(runner, zone)
    assert result.exit_code == 1
    assert f"PROBLEM: No DKIM record at r1._domainkey.{DOMAIN}" in result.output
    assert "Publish:" in result.output and "v=DKIM1; k=rsa; p=" in result.output


def test_check_says_when_dns_holds_another_key(app, runner, tmp_path, zone):
    keygen(app, runner, tmp_path, "--selector", "old", "--out", str(tmp_path / "old.pem"))
    old_record = published(runner.invoke(args=["dkim", "keygen", "--selector", "other",
                                                "--out", str(tmp_path / "x.pem")]).output)
    zone.publish(f"old._domainkey.{DOMAIN}", old_record)
    result = check(runner, zone)
    assert result.exit_code == 1
    assert "holds another key than the one in DKIM_PRIVATE_KEY_PATH" in result.output


def test_check_says_when_the_record_is_still_in_testing(app, runner, tmp_path, zone):
    record, _ = keygen(app, runner, tmp_path, "--selector", "r1")
    zone.publish(f"r1._domainkey.{DOMAIN}", record.replace("k=rsa;", "k=rsa; t=y;"))
    result = check(runner, zone)
    assert result.exit_code == 1
    assert "has t=y (testing)" in result.output
    assert "treat mail signed with it as unsigned" in result.output


def test_check_says_when_the_key_is_short_or_the_record_is_for_another_kind(
        app, runner, tmp_path, zone):
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    (tmp_path / "short.pem").write_bytes(pem(short))
    app.config.update(DKIM_SELECTOR="r1", DKIM_PRIVATE_KEY_PATH=str(tmp_path / "short.pem"))
    zone.publish(f"r1._domainkey.{DOMAIN}", "v=DKIM1; k=ed25519; p=AAAA")
    result = check(runner, zone)
    assert "WARNING: The key in DKIM_PRIVATE_KEY_PATH has 1024 bits" in result.output
    assert "is for a k=ed25519 key, but the configured key is rsa" in result.output
    assert result.exit_code == 1


def test_check_follows_a_rotation(app, runner, tmp_path, zone):
    first, _ = keygen(app, runner, tmp_path, "--selector", "s1")
    second, output = keygen(app, runner, tmp_path, "--selector", "s2")
    assert "LISTSERVE_DKIM_PREVIOUS_SELECTOR=s1" in output
    app.config["DKIM_PREVIOUS_SELECTOR"] = "s1"
    zone.publish(f"s2._domainkey.{DOMAIN}", second)
    result = check(runner, zone)
    assert f"WARNING: The previous selector's record at s1._domainkey.{DOMAIN} is gone" \
           in result.output
    zone.publish(f"s1._domainkey.{DOMAIN}", first)
    result = check(runner, zone)
    assert result.exit_code == 0, result.output
    assert f"s1._domainkey.{DOMAIN} (previous selector) is still published" in result.output


def test_check_warns_when_dkim_d_and_from_do_not_align(app, runner, tmp_path):
    app.config["DKIM_DOMAIN"] = "mailer.example.com"
    record, _ = keygen(app, runner, tmp_path, "--selector", "r1")
    zone = TxtZone({"r1._domainkey.mailer.example.com": [record]})  # no DMARC, no SPF
    try:
        result = check(runner, zone)
    finally:
        zone.close()
    assert result.exit_code == 1
    assert ("PROBLEM: DKIM d=mailer.example.com does not align with the From domain "
            "lists.example.org") in result.output
    assert "WARNING: No DMARC record at _dmarc.lists.example.org" in result.output
    assert "WARNING: No SPF record at lists.example.org" in result.output


def test_check_without_a_key_says_how_to_make_one(runner):
    result = runner.invoke(args=["dkim", "check", "--nameserver", "127.0.0.1:9"])
    assert result.exit_code == 1
    assert "listserve dkim keygen" in result.output
