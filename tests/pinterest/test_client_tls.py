"""A TLS failure is judged by when it happened: a refused certificate stops the handshake before
anything is sent (never reached), a TLS stream that breaks after the request went out leaves the
outcome unknown (a create is then looked for, never posted again). Against a real local TLS server."""

import datetime
import ipaddress
import os
import socket
import ssl
import threading

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pinterest.client import PinterestClient
from pinterest.errors import PinterestConnectionError, PinterestUnavailable
from tests.factories import client_config

CREATE = {"board_id": "1", "media_source": {"source_type": "image_url", "url": "https://example.com/a.jpg"}}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (cert and key files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(folder / "cert.pem"), str(folder / "key.pem")


class BreakingTlsServer:
    """Reads one whole request over TLS, then sends ``before_break`` and a record that does not
    decrypt, as a proxy or a broken middlebox might. ``got_whole_request`` says what arrived."""

    def __init__(self, certificate, before_break: bytes = b""):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(*certificate)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.before_break = before_break
        self.got_whole_request = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.listener.settimeout(10)
        try:
            raw, _ = self.listener.accept()
            tls = self.context.wrap_socket(raw, server_side=True)
        except OSError:
            return  # the client refused the handshake
        tls.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            data += tls.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
        while len(body) < length:
            body += tls.recv(65536)
        self.got_whole_request = len(body) == length
        if self.before_break:
            tls.sendall(self.before_break)
        # Written under the TLS layer: an application-data record whose MAC cannot check out.
        with socket.socket(fileno=os.dup(tls.fileno())) as underneath:
            underneath.sendall(b"\x17\x03\x03\x00\x20" + b"not-a-tls-record" * 2)
        tls.close()

    def client(self, *, verify) -> PinterestClient:
        session = requests.Session()
        session.trust_env = False
        session.verify = verify
        return PinterestClient(client_config(api_base=f"https://127.0.0.1:{self.port}/v5"), "token", session=session)


@pytest.mark.parametrize(
    "before_break",
    [b"", b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":'],
    ids=["instead-of-the-answer", "in-the-middle-of-the-201"],
)
def test_a_tls_stream_that_breaks_after_the_create_was_sent_is_an_unknown_outcome(certificate, before_break):
    server = BreakingTlsServer(certificate, before_break)
    with pytest.raises(PinterestUnavailable) as raised:
        server.client(verify=certificate[0]).create_pin(CREATE)
    server.thread.join(10)
    assert server.got_whole_request
    assert raised.value.outcome_unknown is True
    assert "TLS connection to Pinterest broke during POST /pins" in str(raised.value)


def test_a_refused_certificate_never_reached_pinterest(certificate):
    server = BreakingTlsServer(certificate)
    with pytest.raises(PinterestConnectionError) as raised:
        server.client(verify=True).create_pin(CREATE)  # the system's roots do not know this certificate
    server.thread.join(10)
    assert not server.got_whole_request
    assert raised.value.outcome_unknown is False
    assert "TLS handshake with Pinterest failed" in str(raised.value)
