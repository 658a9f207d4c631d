"""Absolute URLs name a trusted scheme and host: the public URL, allowed hosts, trusted proxies."""

from __future__ import annotations

import json
import logging
import re
from xml.etree import ElementTree

import pytest

from search_app import create_app
from search_app.config import Settings
from search_app.hosts import host_name

LONG_LABEL_HOST = "a" * 64 + ".example"
PUBLIC = "https://recherche.federation.example"


def make_client(sample_index, sample_corpus, **config):
    app = create_app({"INDEX_DIR": sample_index, "CORPUS_DIR": sample_corpus, "BUILD_IF_MISSING": False,
                      **config})
    return app.test_client()


def absolute_urls(client, headers: dict[str, str], sample_fiches) -> list[str]:
    """Every absolute URL the service generates, as seen with these request headers."""
    fiche_id = sample_fiches[0].id
    urls = [hit["url"] for hit in client.get("/api/search?q=jardin", headers=headers).get_json()["hits"]]
    urls.append(client.get(f"/api/actions/{fiche_id}", headers=headers).get_json()["url"])
    urls += [server["url"] for server in client.get("/api/openapi.json", headers=headers).get_json()["servers"]]
    doc = ElementTree.fromstring(client.get("/opensearch.xml", headers=headers).data)
    urls += [element.get("template") for element in doc.iter() if element.get("template")]
    guide = client.get("/integrer", headers=headers).get_data(as_text=True)
    urls += re.findall(r'src="(https?://[^"]+/embed\.js)"', guide.replace("&#34;", '"').replace("&quot;", '"'))
    return urls


def test_public_url_names_every_absolute_url_whatever_the_host(sample_index, sample_corpus, sample_fiches):
    client = make_client(sample_index, sample_corpus, PUBLIC_URL=PUBLIC)
    headers = {"Host": "attacker-host.test", "X-Forwarded-Host": "attacker-host.test",
               "X-Forwarded-Proto": "http"}
    urls = absolute_urls(client, headers, sample_fiches)
    assert len(urls) >= 6
    assert all(url.startswith(PUBLIC + "/") or url == PUBLIC for url in urls), urls
    assert not any("attacker" in url for url in urls)


def test_public_url_with_a_path_prefix(sample_index, sample_corpus, sample_fiches):
    client = make_client(sample_index, sample_corpus, PUBLIC_URL=PUBLIC + "/recherche/")
    urls = absolute_urls(client, {}, sample_fiches)
    assert all(url.startswith(PUBLIC + "/recherche") for url in urls), urls
    assert client.get("/api/search?q=jardin").get_json()["hits"][0]["url"].startswith(
        PUBLIC + "/recherche/actions/")


def test_without_public_url_other_hosts_are_refused_in_french(client):
    api = client.get("/api/search?q=jardin", headers={"Host": "attacker-host.test"})
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "untrusted_host"
    assert "non autorisé" in api.get_json()["error"]["message"]
    page = client.get("/integrer", headers={"Host": "attacker-host.test"})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "attacker-host.test" in page.get_data(as_text=True)
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:5000", "[::1]:8000", "LocalHost"])
def test_localhost_names_are_allowed_by_default(client, host):
    response = client.get("/api/search?q=jardin", headers={"Host": host})
    assert response.status_code == 200
    assert response.get_json()["hits"][0]["url"].startswith(f"http://{host.lower()}/actions/")


def test_allowed_hosts_setting_and_subdomains(sample_index, sample_corpus):
    client = make_client(sample_index, sample_corpus, ALLOWED_HOSTS="recherche.example, .federation.example")
    for host, status in [("recherche.example", 200), ("caf.federation.example", 200),
                         ("federation.example.evil", 400), ("localhost", 400)]:
        assert client.get("/api/suggest?q=jar", headers={"Host": host}).status_code == status, host


@pytest.mark.parametrize("path", ["/", "/?q=jardin", "/integrer", "/embed", "/opensearch.xml", "/actions/x",
                                  "/api/search?q=jardin", "/api/openapi.json", "/page-inconnue"])
def test_host_with_an_overlong_label_is_a_400_with_security_headers(client, path):
    response = client.get(path, headers={"Host": LONG_LABEL_HOST})
    assert response.status_code == 400, path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "untrusted_host"
    else:
        assert "Requête invalide" in response.get_data(as_text=True)


def test_healthz_answers_monitoring_on_any_host(client):
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).get_json()["status"] == "ok"


def test_forwarded_headers_are_ignored_without_trusted_proxies(client):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "attacker-host.test"}
    url = client.get("/api/search?q=jardin", headers=headers).get_json()["hits"][0]["url"]
    assert url.startswith("http://localhost/")


def test_trusted_proxy_headers_give_the_public_scheme_host_and_client(sample_index, sample_corpus, caplog):
    caplog.set_level(logging.INFO, logger="search_app.access")
    client = make_client(sample_index, sample_corpus, TRUSTED_PROXIES=1, ALLOWED_HOSTS="recherche.example")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "recherche.example",
               "X-Forwarded-For": "203.0.113.7"}
    response = client.get("/api/search?q=jardin", headers=headers)
    assert response.get_json()["hits"][0]["url"].startswith("https://recherche.example/actions/")
    assert json.loads(caplog.records[-1].getMessage())["remote"] == "203.0.113.7"
    forged = client.get("/api/search?q=jardin", headers={**headers, "X-Forwarded-Host": "attacker-host.test"})
    assert forged.status_code == 400


def test_only_the_last_n_proxies_are_believed(sample_index, sample_corpus):
    client = make_client(sample_index, sample_corpus, TRUSTED_PROXIES=1)
    response = client.get("/api/search?q=jardin",
                          headers={"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "evil.test, localhost"})
    assert response.get_json()["hits"][0]["url"].startswith("https://localhost/")


@pytest.mark.parametrize("value", ["recherche.example", "ftp://x.example", "https://", "https://x.example?a=1",
                                   "https://x.example:99999", f"https://{LONG_LABEL_HOST}"])
def test_invalid_public_url_is_a_configuration_error(monkeypatch, value):
    monkeypatch.setenv("SEARCH_PUBLIC_URL", value)
    with pytest.raises(ValueError, match="SEARCH_PUBLIC_URL"):
        Settings.load()


def test_negative_trusted_proxies_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("SEARCH_TRUSTED_PROXIES", "-1")
    with pytest.raises(ValueError, match="SEARCH_TRUSTED_PROXIES"):
        Settings.load()


@pytest.mark.parametrize(("host", "name"), [("Exemple.ORG:443", "exemple.org"), ("[::1]", "[::1]"),
                                            ("exemple.org.", "exemple.org"), (LONG_LABEL_HOST, None),
                                            ("a..b", None), ("-a.b", None), ("a b", None), ("x:0", None),
                                            ("é.example", None), ("", None)])
def test_host_name(host, name):
    assert host_name(host) == name
