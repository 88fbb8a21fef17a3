"""A proxy the environment names that httpx cannot use: the connectors' constructors
raised httpx's `InvalidURL`, Python's `ValueError` or an `ImportError` (a SOCKS proxy
without `socksio`), naming neither the connector nor the variable."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpdesk_routing.errors import ValidationError
from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector

MAKERS: list[tuple[str, Callable[[], object]]] = [
    (
        "zendesk",
        lambda: ZendeskConnector(
            base_url="https://acme.zendesk.com", email="a@b.co", api_token="t"
        ),
    ),
    ("gorgias", lambda: GorgiasConnector(domain="acme", email="a@b.co", api_key="k")),
]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("HTTPS_PROXY", "ftp://bob:s3cret@proxy.local", "Unknown scheme for proxy URL"),
        ("https_proxy", "http://[::1", "Invalid port"),
        ("ALL_PROXY", "socks5://127.0.0.1:1080", "socksio"),
    ],
)
def test_a_proxy_the_environment_names_that_cannot_be_used_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv(variable, value)
    for name, make in MAKERS:
        with pytest.raises(ValidationError) as caught:
            make()
        text = str(caught.value)
        assert text.startswith(f"{name}: the proxy the environment names cannot be used")
        assert f"{variable}=" in text
        assert said in text
        assert "s3cret" not in text


def test_a_proxy_the_environment_names_well_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.local:3128")
    for _, make in MAKERS:
        make()
