from services.accounts.sources import client_source


def test_the_peer_is_the_source_unless_it_is_a_trusted_proxy():
    assert client_source("198.51.100.4", ["203.0.113.9"], ()) == "198.51.100.4"
    assert client_source(None, ["203.0.113.9"], ()) == "127.0.0.1"
    # A trusted proxy names the client; what the client itself put in the header before it does not count.
    assert client_source(None, ["6.6.6.6, 203.0.113.9"], ("127.0.0.1",)) == "203.0.113.9"
    assert client_source("10.0.0.2", ["203.0.113.9, 10.0.0.3"], ("10.0.0.2", "10.0.0.3")) == "203.0.113.9"
    assert client_source("10.0.0.2", [], ("10.0.0.2",)) == "10.0.0.2"
