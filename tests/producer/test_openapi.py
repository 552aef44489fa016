"""The OpenAPI document says exactly what REST accepts (issue 11 §4).

schemathesis generates requests from ``/rest/openapi.json`` (the document the hub serves) and
sends them to the live producer: a request the document allows must not be refused as malformed
(400) and no answer may break the document's own description of it.  The review found an empty
``X-Road-Client`` and a PIN whose digits hold no real date allowed by the document and refused
by the routes.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from adapters.xroad.producer.rest import openapi_document
from sanarip_hub.domain.identifiers import PIN_PATTERN, is_valid_pin
from sanarip_hub.domain.xroad_identifiers import ClientId
from tests.producer.conftest import PROVIDER, SF, Served

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

schema = schemathesis.openapi.from_dict(openapi_document(ClientId.parse(PROVIDER)))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_schema_valid_requests_are_accepted_as_documented(case: schemathesis.Case, served: Served) -> None:
    """As any caller (mostly without an agreement: 403 is a documented answer)."""
    case.call_and_validate(base_url=served.url, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_schema_valid_requests_of_an_agreed_client_are_answered_as_documented(
    case: schemathesis.Case, served: Served
) -> None:
    """As the Social Fund, whose agreement covers both services: every schema-valid PIN is
    answered (200 — a card or {"code":405} — or 204), never refused as malformed."""
    case.headers = {**(case.headers or {}), "X-Road-Client": ClientId.parse(SF).rest_header()}
    case.call_and_validate(base_url=served.url, checks=CHECKS)


@given(st.from_regex(re.compile(r"\A[0-9]{14}\Z")) | st.from_regex(re.compile(PIN_PATTERN)))
@settings(max_examples=3000, deadline=None)
def test_the_documented_pin_pattern_is_the_validators_rule(text: str) -> None:
    assert bool(re.fullmatch(PIN_PATTERN, text)) == is_valid_pin(text), text
