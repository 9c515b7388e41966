"""`listserve dkim keygen | check`: make a signing key and its DNS record, then check what DNS
publishes against the configuration."""

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from listserve.delivery.dkim_alignment import check_alignment
from listserve.delivery.dkim_check import PROBLEM, check_key, check_previous, dns_lookup
from listserve.delivery.dkim_keys import (
    generate_key,
    key_type,
    record_name,
    record_text,
    write_private_key,
    zone_line,
)
from listserve.delivery.signing import load_private_key


@click.group("dkim")
def dkim() -> None:
    """DKIM keys: make one (keygen), check what DNS publishes (check)."""


def _domain() -> str:
    cfg = current_app.config
    return cfg.get("DKIM_DOMAIN") or cfg["LIST_DOMAIN"]


@dkim.command("keygen")
@click.option("--selector", help="The record's name under _domainkey (default: s<YYYYMM>, "
              "ed<YYYYMM> for --ed25519). A new key takes a new selector.")
@click.option("--ed25519", "use_ed25519", is_flag=True,
              help="An Ed25519 key (RFC 8463), signing beside the RSA one.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (default: instance/dkim/<selector>.pem).")
@with_appcontext
def keygen(selector: str | None, use_ed25519: bool, out: Path | None) -> None:
    """Write a new private key (mode 0600) and print the DNS record to publish."""
    prefix = "ed" if use_ed25519 else "s"
    selector = selector or f"{prefix}{datetime.now(UTC):%Y%m}"
    if not all(label.replace("-", "").isalnum() for label in selector.split(".")):
        raise click.BadParameter(_("letters, digits, hyphens and dots only"),
                                 param_hint="--selector")
    path = out or Path(current_app.instance_path) / "dkim" / f"{selector}.pem"
    if path.exists():
        raise click.ClickException(_("%(path)s exists already. A new key needs a new selector "
                                     "(--selector): that is how keys are rotated.", path=path))
    key = generate_key(use_ed25519)
    write_private_key(path, key)
    domain = _domain()
    setting = "DKIM_ED25519" if use_ed25519 else "DKIM"
    kind = "Ed25519" if key_type(key) == "ed25519" else "RSA"
    settings = (f"    LISTSERVE_{setting}_SELECTOR={selector}\n"
                f"    LISTSERVE_{setting}_PRIVATE_KEY_PATH={path}\n")
    click.echo(_("Wrote the %(kind)s private key to %(path)s (readable by you only).",
                 kind=kind, path=path) + "\n\n"
               + _("1. Publish this TXT record at %(name)s:", name=record_name(selector, domain))
               + f"\n\n    {record_text(key)}\n\n"
               + _("   as a zone-file line:")
               + f"\n\n    {zone_line(selector, domain, record_text(key))}\n\n"
               + _("2. Configure it:") + "\n\n" + settings)
    current = current_app.config.get(f"{setting}_SELECTOR")
    if current and current != selector:
        click.echo(_("   This replaces selector %(current)s: set "
                     "LISTSERVE_DKIM_PREVIOUS_SELECTOR=%(current)s and keep its record published "
                     "for a week or two.", current=current) + "\n")
    click.echo(_("3. Once the record shows in DNS, run `listserve dkim check`."))


@dkim.command("check")
@click.option("--nameserver", "nameservers", multiple=True, metavar="IP[:PORT]",
              help="Ask this DNS server (e.g. your domain's own) instead of the system's.")
@with_appcontext
def check(nameservers: tuple[str, ...]) -> None:
    """Compare the published DKIM records with the configured keys; check DMARC alignment."""
    cfg = current_app.config
    lookup = dns_lookup(list(nameservers) or None)
    domain, findings, configured = _domain(), [], False
    for setting in ("DKIM", "DKIM_ED25519"):
        selector, path = cfg.get(f"{setting}_SELECTOR"), cfg.get(f"{setting}_PRIVATE_KEY_PATH")
        if not (selector and path):
            continue
        configured = True
        try:
            key = load_private_key(Path(path).read_bytes(), f"{setting}_PRIVATE_KEY_PATH")
        except (OSError, ValueError) as exc:
            raise click.ClickException(
                _("cannot read %(setting)s_PRIVATE_KEY_PATH: %(error)s", setting=setting,
                  error=exc)) from None
        findings += check_key(selector, domain, key, lookup, f"{setting}_PRIVATE_KEY_PATH")
    if not configured:
        raise click.ClickException(_("DKIM is not configured: make a key with "
                                     "`listserve dkim keygen` and set LISTSERVE_DKIM_SELECTOR "
                                     "and LISTSERVE_DKIM_PRIVATE_KEY_PATH."))
    if cfg.get("DKIM_PREVIOUS_SELECTOR"):
        findings.append(check_previous(cfg["DKIM_PREVIOUS_SELECTOR"], domain, lookup))
    # Every list's address, Message-ID and VERP envelope sender live on LIST_DOMAIN.
    findings += check_alignment(cfg["LIST_DOMAIN"], domain, cfg["LIST_DOMAIN"], lookup)
    for finding in findings:
        click.echo(f"{finding.level.upper()}: {finding.text}")
    problems = sum(f.level == PROBLEM for f in findings)
    if problems:
        raise click.ClickException(ngettext("%(num)d problem: mail may fail DKIM or DMARC.",
                                            "%(num)d problems: mail may fail DKIM or DMARC.",
                                            problems))
    click.echo(_("DKIM is in order."))
