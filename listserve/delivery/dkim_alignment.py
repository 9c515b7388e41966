"""DMARC alignment (RFC 7489 3.1): the From domain readers see must line up with the DKIM d= or
the envelope (SPF) domain, else a receiver that checks DMARC treats the mail as spoofed."""

from flask_babel import gettext as _

from listserve.delivery.dkim_check import OK, PROBLEM, WARNING, Finding, Lookup, LookupFailed
from listserve.delivery.dkim_keys import parse_tags


def organisational(domain: str) -> str:
    """The registered domain, approximated by the last two labels (no public-suffix list: a
    domain under co.uk or similar is compared by three)."""
    labels = domain.lower().rstrip(".").split(".")
    size = 3 if len(labels) > 2 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-size:])


def aligned(a: str, b: str, strict: bool) -> bool:
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b if strict else organisational(a) == organisational(b)


def check_alignment(from_domain: str, dkim_domain: str, envelope_domain: str,
                    lookup: Lookup) -> list[Finding]:
    findings = []
    policy = _dmarc_policy(from_domain, lookup, findings)
    adkim = policy.get("adkim", "r") == "s"
    aspf = policy.get("aspf", "r") == "s"
    if aligned(dkim_domain, from_domain, adkim):
        findings.append(Finding(OK, _("DKIM d=%(dkim)s aligns with the From domain %(domain)s.",
                                      dkim=dkim_domain, domain=from_domain)))
    else:
        findings.append(Finding(PROBLEM, (
            _("DKIM d=%(dkim)s does not align with the From domain %(domain)s (the DMARC record "
              "asks for adkim=s): DMARC fails on DKIM. Set DKIM_DOMAIN to %(domain)s (or leave "
              "it unset).", dkim=dkim_domain, domain=from_domain) if adkim
            else _("DKIM d=%(dkim)s does not align with the From domain %(domain)s: DMARC fails "
                   "on DKIM. Set DKIM_DOMAIN to %(domain)s (or leave it unset).",
                   dkim=dkim_domain, domain=from_domain))))
    if aligned(envelope_domain, from_domain, aspf):
        findings.append(Finding(OK, _("The envelope sender bounces+…@%(envelope)s aligns with "
                                      "the From domain %(domain)s.", envelope=envelope_domain,
                                      domain=from_domain)))
    else:
        findings.append(Finding(WARNING, _("The envelope domain %(envelope)s does not align "
                                           "with the From domain %(domain)s: SPF cannot help "
                                           "DMARC pass, DKIM alone must.",
                                           envelope=envelope_domain, domain=from_domain)))
    findings.append(_spf(envelope_domain, lookup))
    return findings


def _dmarc_policy(from_domain: str, lookup: Lookup, findings: list[Finding]) -> dict:
    for domain in dict.fromkeys([from_domain, organisational(from_domain)]):
        try:
            records = [r for r in lookup(f"_dmarc.{domain}") if r.startswith("v=DMARC1")]
        except LookupFailed as exc:
            findings.append(Finding(WARNING, str(exc)))
            return {}
        if records:
            tags = parse_tags(records[0])
            findings.append(Finding(OK, _("DMARC record at _dmarc.%(domain)s: p=%(p)s.",
                                          domain=domain, p=tags.get("p", "?"))))
            return tags
    findings.append(Finding(WARNING, _("No DMARC record at _dmarc.%(domain)s: Gmail and Yahoo "
                                       "ask bulk senders for one. Publish at least:",
                                       domain=from_domain)
                            + f'\n    _dmarc.{from_domain}. 3600 IN TXT "v=DMARC1; p=none"'))
    return {}


def _spf(envelope_domain: str, lookup: Lookup) -> Finding:
    try:
        records = [r for r in lookup(envelope_domain) if r.startswith("v=spf1")]
    except LookupFailed as exc:
        return Finding(WARNING, str(exc))
    if not records:
        return Finding(WARNING, _("No SPF record at %(domain)s: the envelope sender "
                                  "bounces+…@%(domain)s fails SPF. Publish one that names the "
                                  'servers sending for you, e.g. "v=spf1 mx -all".',
                                  domain=envelope_domain))
    return Finding(OK, _("SPF record at %(domain)s: %(record)s (whether it names your relay's "
                         "address is not checked here).", domain=envelope_domain,
                         record=records[0]))
