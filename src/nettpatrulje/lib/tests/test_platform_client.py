"""Clients for the platforms' APIs set TLS up once per process (lib.http)."""

from __future__ import annotations

import ssl

from nettpatrulje.lib import http


def test_tls_is_set_up_once_and_verifies(monkeypatch):
    made = []
    real = ssl.create_default_context

    def counted(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    http._tls_context.cache_clear()
    try:
        clients = [http.platform_client(timeout=5) for _ in range(3)]
        for client in clients:
            client.close()
    finally:
        http._tls_context.cache_clear()
    # httpx would read the CA bundle for every new client.
    assert len(made) == 1
    context = http._tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0
