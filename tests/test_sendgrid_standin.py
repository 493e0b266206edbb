"""The stand-in must refuse what SendGrid would refuse, or the mail tests prove nothing."""

import json
import urllib.error
import urllib.request

import pytest


def post(url, body):
    request = urllib.request.Request(
        url + "/v3/mail/send",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    return urllib.request.urlopen(request, timeout=5).status


@pytest.mark.parametrize(
    "body",
    [
        {"from": {"email": "a@b.no"}, "subject": "x", "content": [{"type": "text/plain", "value": "x"}]},
        {
            "personalizations": [{"to": [{"email": "a@b.no"}]}],
            "subject": "x",
            "content": [{"type": "text/plain", "value": "x"}],
        },
        {
            "personalizations": [{"to": [{"name": "no address"}]}],
            "from": {"email": "a@b.no"},
            "subject": "x",
            "content": [{"type": "text/plain", "value": "x"}],
        },
    ],
)
def test_invalid_bodies_are_refused(sendgrid, body):
    with pytest.raises(urllib.error.HTTPError) as refused:
        post(sendgrid.url, body)
    assert refused.value.code == 400
    assert len(sendgrid.invalid) == 1 and sendgrid.requests == []


def test_a_valid_body_is_accepted(sendgrid):
    body = {
        "personalizations": [{"to": [{"email": "a@b.no"}]}],
        "from": {"email": "c@d.no"},
        "subject": "x",
        "content": [{"type": "text/plain", "value": "x"}],
    }
    assert post(sendgrid.url, body) == 202
    assert sendgrid.invalid == []
