"""A DNS server on loopback that answers TXT questions from a dict: `listserve dkim check`
asks it through dnspython exactly as it asks a real one (--nameserver 127.0.0.1:PORT)."""

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype


class TxtZone:
    def __init__(self, records: dict[str, list[str]] | None = None):
        self.records = {}
        for name, texts in (records or {}).items():
            self.publish(name, *texts)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def publish(self, name: str, *texts: str) -> None:
        self.records[name.rstrip(".").lower()] = list(texts)

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=2)

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            texts = self.records.get(question.name.to_text().rstrip(".").lower())
            if texts is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.TXT and texts:
                rrset = response.find_rrset(response.answer, question.name,
                                            dns.rdataclass.IN, dns.rdatatype.TXT, create=True)
                for text in texts:  # strings of at most 255 characters, as DNS keeps them
                    chunks = " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))
                    rrset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, chunks),
                              ttl=60)
            self.sock.sendto(response.to_wire(), peer)
