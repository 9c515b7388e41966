"""DKIM signatures (RFC 6376, relaxed/relaxed) made by us, RSA-SHA256 and Ed25519-SHA256 (RFC 8463).

A copy's cost should be the signature itself. dkimpy re-parses and re-canonicalises every 8 kB
copy in Python; here the parts a mailing's copies share are canonicalised once (prepare), and a
copy only adds what is its own: its few personal header fields and the link in the body's link
slots. The body hash starts from a SHA-256 state copied from one made over the body up to the
first link slot, and is fed the rest as bytes canonicalised in advance.

`sign(message)` works on any CRLF message; `sign(message, template)` takes the fast path when the
message is what the template would make (checked, not assumed: anything else is signed the
generic way). Both must agree byte for byte with dkimpy (tests/delivery/test_dkim_sign.py).
"""

import binascii
import functools
import hashlib
import re
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils

from listserve.delivery.transport import dot_stuffed

_WSP_RUN = re.compile(rb"[\t ]+")
_TRAILING_WSP = re.compile(rb"[\t ]+\r\n")
_FIELD_START = re.compile(rb"\r\n(?![\t ])")  # a CRLF that ends a field, not a folded line
_SLOT_EDGE = b"=\r\n"  # a link slot starts and ends with a soft line break (compose.QP_SLOT)
_PREHASHED = utils.Prehashed(hashes.SHA256())


def relaxed_body_lines(block: bytes) -> bytes:
    """Relaxed canonical form of whole lines, without the rule for empty lines at the end."""
    if b" " not in block and b"\t" not in block:  # a link slot: nothing to change
        return block
    return _WSP_RUN.sub(b" ", _TRAILING_WSP.sub(b"\r\n", block))


def relaxed_body(body: bytes) -> bytes:
    """RFC 6376 3.4.4: trailing WSP removed, WSP runs made one space, empty lines at the end
    ignored, and a body that is not empty ends with CRLF."""
    body = relaxed_body_lines(body)
    end = len(body)
    while body.endswith(b"\r\n", 0, end):
        end -= 2
    return body[:end] + b"\r\n" if end else b""


def relaxed_field(field: bytes) -> tuple[bytes, bytes]:
    """(lower-case name, relaxed canonical 'name:value\\r\\n') of one raw header field."""
    name, _, value = field.partition(b":")
    name = name.lower().rstrip()
    value = value.replace(b"\r\n", b"")
    if b"\t" in value or b"  " in value:  # else every run of WSP is one space already
        value = _WSP_RUN.sub(b" ", value)
    return name, name + b":" + value.strip() + b"\r\n"


def relaxed_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """Each field of a header block (whole lines, ending with CRLF) in relaxed form."""
    if not head:
        return []
    return [relaxed_field(f) for f in _FIELD_START.split(head[:-2] if head.endswith(b"\r\n")
                                                          else head)]


def fields_by_name(fields: list[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    named: dict[bytes, list[bytes]] = {}
    for name, line in fields:
        named.setdefault(name, []).append(line)
    return named


def selected(signed_names: tuple[bytes, ...], named: dict[bytes, list[bytes]]) -> bytes:
    """The canonical fields that h= names, in its order. A name given twice takes the field of
    that name above the one it took before (RFC 6376 5.4.2); a name with none left (absent or
    oversigned) contributes nothing, so a field added later breaks the signature."""
    out, taken = [], {}
    for name in signed_names:
        instances = named.get(name, ())
        used = taken.get(name, 0)
        if used < len(instances):
            out.append(instances[-1 - used])
        taken[name] = used + 1
    return b"".join(out)


@dataclass
class DkimKey:
    """One signing key and where its public half is published (selector._domainkey.domain)."""

    selector: str
    domain: str
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

    @property
    def algorithm(self) -> bytes:
        return b"ed25519-sha256" if isinstance(self.private_key, ed25519.Ed25519PrivateKey) \
            else b"rsa-sha256"

    def sign_digest(self, digest: bytes) -> bytes:
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return self.private_key.sign(digest)  # RFC 8463: PureEdDSA over the SHA-256 hash
        return self.private_key.sign(digest, padding.PKCS1v15(), _PREHASHED)


class _Prepared:
    """What every copy of one template shares, canonicalised and hashed once."""

    def __init__(self, template, signed_names: tuple[bytes, ...]):
        self.template = template  # kept so that its id is not reused while this lives
        self.signed_names = signed_names
        self.top, self.rest = template.top, template.rest
        self.top_fields = relaxed_fields(self.top)
        self.rest_fields = relaxed_fields(self.rest[:-2])  # less the blank line
        self.plans: dict[tuple[bytes, ...], list[bytes | int]] = {}
        self.pieces = list(template.body_pieces)
        self.wire_pieces = [dot_stuffed(piece) for piece in self.pieces]
        self.total = sum(map(len, self.pieces))
        if len(self.pieces) == 1:  # no link slot: the whole body hash is shared
            self.shared = hashlib.sha256(relaxed_body(self.pieces[0]))
            self.blocks = []
        else:
            self.shared = hashlib.sha256(relaxed_body_lines(self.pieces[0] + _SLOT_EDGE))
            self.blocks = [relaxed_body_lines(p + _SLOT_EDGE) for p in self.pieces[1:-1]]
            self.blocks.append(relaxed_body(self.pieces[-1]))

    def signed_headers(self, message: bytes, body_at: int) -> bytes | None:
        """The canonical fields h= names, or None when the head is not the template's: shared
        fields as canonicalised once, the copy's own (between top and rest) canonicalised now,
        in an order worked out once for each set of personal field names."""
        rest_at = body_at - len(self.rest)
        if rest_at < len(self.top) or not (
            message.startswith(self.top) and message.startswith(self.rest, rest_at)
        ):
            return None
        personal = relaxed_fields(message[len(self.top):rest_at])
        names = tuple([field[0] for field in personal])
        plan = self.plans.get(names)
        if plan is None:
            plan = self.plans[names] = self._plan(names)
        return b"".join([personal[part][1] if part.__class__ is int else part for part in plan])

    def _plan(self, personal: tuple[bytes, ...]) -> list[bytes | int]:
        """`selected` with each personal field as its index: shared runs joined in advance."""
        named: dict[bytes, list] = {}
        for name, line in self.top_fields:
            named.setdefault(name, []).append(line)
        for index, name in enumerate(personal):
            named.setdefault(name, []).append(index)
        for name, line in self.rest_fields:
            named.setdefault(name, []).append(line)
        plan: list[bytes | int] = []
        taken: dict[bytes, int] = {}
        for name in self.signed_names:
            instances = named.get(name, ())
            used = taken.get(name, 0)
            if used < len(instances):
                part = instances[-1 - used]
                if plan and part.__class__ is bytes and plan[-1].__class__ is bytes:
                    plan[-1] += part
                else:
                    plan.append(part)
            taken[name] = used + 1
        return plan

    def slot(self, message: bytes, body_at: int) -> bytes | None | bool:
        """The bytes in each link slot of the copy (None: it has no slot), or False when its
        body is not the template's pieces around one link repeated in every slot."""
        pieces, slots = self.pieces, len(self.pieces) - 1
        length = len(message) - body_at
        if not slots:
            same = length == self.total and message.startswith(pieces[0], body_at)
            return None if same else False
        slot_length, uneven = divmod(length - self.total, slots)
        if uneven or slot_length < 2 * len(_SLOT_EDGE):
            return False
        at = body_at + len(pieces[0])
        slot = message[at:at + slot_length]
        if not (message.startswith(pieces[0], body_at) and slot.startswith(_SLOT_EDGE)
                and slot.endswith(_SLOT_EDGE)):
            return False
        for piece in pieces[1:]:
            at += slot_length
            if not (message.startswith(slot, at - slot_length)
                    and message.startswith(piece, at)):
                return False
            at += len(piece)
        return slot

    def body_hash(self, slot: bytes | None) -> bytes:
        if slot is None:
            return self.shared.digest()
        link = relaxed_body_lines(slot[len(_SLOT_EDGE):])
        digest = self.shared.copy()
        for block in self.blocks:
            digest.update(link)
            digest.update(block)
        return digest.digest()

    def wire_parts(self, slot: bytes | None) -> list[bytes]:
        """The body with SMTP's leading dots doubled, in parts to join: every piece starts a
        line (the body, or after a slot's last soft line break) and was stuffed once; the
        slot is stuffed here."""
        if slot is None:
            return self.wire_pieces
        slot = dot_stuffed(slot)
        parts = [self.wire_pieces[0]]
        for piece in self.wire_pieces[1:]:
            parts += (slot, piece)
        return parts


class DkimSigner:
    """Signs messages with one DKIM-Signature header per key (RSA first), over `signed_names`."""

    def __init__(self, keys: list[DkimKey], signed_names: tuple[str, ...]):
        if not keys:
            raise ValueError("a DKIM signer needs at least one key")
        self.keys = keys
        self.signed_names = tuple(n.lower().encode("ascii") for n in signed_names)
        h_tag = _folded_list(self.signed_names)
        self.heads = []  # (key, the field up to t=, the relaxed form of its value so far)
        for key in keys:
            head = (b"v=1; a=" + key.algorithm + b"; c=relaxed/relaxed; d="
                    + key.domain.encode("ascii") + b"; s=" + key.selector.encode("ascii")
                    + b";\r\n\th=" + h_tag + b";\r\n\tt=")
            self.heads.append((key, b"DKIM-Signature: " + head,
                               relaxed_field(b"DKIM-Signature: " + head)[1][:-2]))
        self._prepared: dict[int, _Prepared] = {}

    def sign(self, message: bytes, template=None, stuffed: bool = False) -> bytes:
        """The message with its DKIM-Signature headers in front. `template`: the CopyTemplate
        the message was made from, whose shared parts are then canonicalised only once.
        `stuffed`: return it with SMTP's leading dots doubled (RFC 5321 4.5.2) for the wire,
        from the template's pieces stuffed once where the message is the template's."""
        body_at = _body_start(message)
        if template is not None:
            prepared = self._prepared_for(template)
            headers = prepared.signed_headers(message, body_at)
            slot = headers is not None and prepared.slot(message, body_at)
            if slot is not False:
                fields = self.signature_fields(headers, prepared.body_hash(slot))
                if not stuffed:
                    return fields + message
                # One join makes the copy sent: header lines start with a name or a fold,
                # and the body is the template's pieces stuffed once around the slot.
                head = (dot_stuffed(message[:body_at]) if message.find(b"\n.", 0, body_at) >= 0
                        else memoryview(message)[:body_at])
                return b"".join([fields, head, *prepared.wire_parts(slot)])
        headers, body_hash = self.canonical_parts(message)
        signed = self.signature_fields(headers, body_hash) + message
        return dot_stuffed(signed) if stuffed else signed

    def canonical_parts(self, message: bytes, template=None) -> tuple[bytes, bytes]:
        """(the canonical header fields h= names, the body hash)."""
        body_at = _body_start(message)
        if template is not None:
            prepared = self._prepared_for(template)
            headers = prepared.signed_headers(message, body_at)
            slot = headers is not None and prepared.slot(message, body_at)
            if slot is not False:
                return headers, prepared.body_hash(slot)
        named = fields_by_name(relaxed_fields(message[:body_at - 2]))
        return (selected(self.signed_names, named),
                hashlib.sha256(relaxed_body(message[body_at:])).digest())

    def signature_fields(self, headers: bytes, body_hash: bytes, now: int | None = None) -> bytes:
        """The DKIM-Signature fields, one per key, over canonical `headers` and a body hash."""
        stamp = _stamp(int(time.time()) if now is None else now)
        encoded = binascii.b2a_base64(body_hash, newline=False)
        tail = stamp + b";\r\n\tbh=" + encoded + b";\r\n\tb="
        canonical_tail = stamp + b"; bh=" + encoded + b"; b="  # relaxed form of the tail
        fields = []
        for key, head, canonical_head in self.heads:
            digest = hashlib.sha256(headers + canonical_head + canonical_tail).digest()
            signature = binascii.b2a_base64(key.sign_digest(digest), newline=False)
            fields += (head, tail, _folded_base64(signature), b"\r\n")
        return b"".join(fields)

    def canonical_headers(self, message: bytes, template=None) -> bytes:
        """What the header hash is taken over, less the DKIM-Signature field itself."""
        return self.canonical_parts(message, template)[0]

    def body_hash(self, message: bytes, template=None) -> bytes:
        """The SHA-256 of the relaxed canonical body."""
        return self.canonical_parts(message, template)[1]

    def _prepared_for(self, template) -> _Prepared:
        prepared = self._prepared.get(id(template))
        if prepared is None or prepared.template is not template:
            if len(self._prepared) >= 64:  # a worker sees few mailings at a time
                self._prepared.clear()
            prepared = self._prepared[id(template)] = _Prepared(template, self.signed_names)
        return prepared


def _body_start(message: bytes) -> int:
    """Where the body starts: after the first empty line (past the end when there is none)."""
    end_of_head = message.find(b"\r\n\r\n")
    return len(message) + 2 if end_of_head < 0 else end_of_head + 4


def _folded_list(names: tuple[bytes, ...], width: int = 70) -> bytes:
    lines, line = [], b""
    for name in names:
        if line and len(line) + len(name) + 1 > width:
            lines.append(line)
            line = b""
        line += (b":" if line or lines else b"") + name
    lines.append(line)
    return b"\r\n\t".join(lines)


@functools.lru_cache(maxsize=2)
def _stamp(seconds: int) -> bytes:
    """t= as bytes: made once a second, not once a copy."""
    return str(seconds).encode("ascii")


def _folded_base64(value: bytes, width: int = 72) -> bytes:
    return b"\r\n\t".join(value[i:i + width] for i in range(0, len(value), width))
