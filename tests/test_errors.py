"""The one error tree and the one error → wire function, leaf by leaf."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from typing import Any

import pytest

from adapters.xroad.faults import rest_error, soap_fault, to_wire
from adapters.xroad.parser import parse_xml
from sanarip_hub import errors

PACKAGES = ("sanarip_hub", "adapters", "mappings", "sync_jobs", "wsdl")
# exceptions that never leave the function that raises them (control flow inside a parser callback
# or a settings reader); everything else is in the tree
PRIVATE = {"adapters.xroad.producer.http_limits._Refused", "sanarip_hub.config._Bad"}
SECRET = "secret 21212199212345 /var/lib/hub"


def every_module() -> list[str]:
    names = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations." in info.name or info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def our_exceptions() -> set[type[BaseException]]:
    every_module()
    found: set[type[BaseException]] = set()
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith(PACKAGES) and sub not in found:
                found.add(sub)
            pending.append(sub)
    return found


def tree() -> list[type[errors.HubError]]:
    return [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.HubError)]


def leaves() -> list[type[errors.HubError]]:
    return [c for c in tree() if not [s for s in c.__subclasses__() if s.__module__ == errors.__name__]]


def instance(cls: type[errors.HubError]) -> errors.HubError:
    """A leaf built with a message that must not leak unless the leaf's message is for clients."""
    values: dict[str, Any] = {
        "message": SECRET, "problem": SECRET, "detail": SECRET, "key": "a.b", "source": "env",
        "seq": 7, "kind": "altered", "reason": "malformed", "size": 9, "status": 418,
        "fault_code": "Server.ServerProxy.ServiceFailed", "retryable": False,
    }  # fmt: skip
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    required = [p for p in parameters if p.default is inspect.Parameter.empty and p.kind not in VARIADIC]
    return cls(**{p.name: values[p.name] for p in required})


VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)  # optional by nature


def test_every_exception_the_code_defines_is_in_the_tree() -> None:
    strays = {f"{c.__module__}.{c.__qualname__}" for c in our_exceptions()} - PRIVATE
    outside = sorted(name for name in strays if not name.startswith("sanarip_hub.errors."))
    assert outside == [], f"define these in sanarip_hub/errors.py: {outside}"


def test_the_drawing_names_every_class_of_the_tree() -> None:
    drawing = errors.__doc__ or ""
    missing = [c.__name__ for c in tree() if not re.search(rf"[─ ]{c.__name__}\b", drawing)]
    assert missing == []


@pytest.mark.parametrize("cls", leaves(), ids=lambda c: c.__name__)
def test_each_leaf_reaches_the_wire_with_its_code_and_status(cls: type[errors.HubError]) -> None:
    error = instance(cls)
    wire = to_wire(error)
    assert (wire.code, wire.status) == (error.fault_code, error.http_status)
    assert re.fullmatch(r"(Client|Server)\.[A-Za-z]+(\.[A-Za-z]+)*", wire.code)
    assert 400 <= wire.status < 600
    assert not wire.unexpected
    for_clients = cls.public_message is None
    assert (SECRET in wire.message) is for_clients  # internal messages never reach a client
    fault = parse_xml(soap_fault(wire)).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault is not None
    assert (fault.findtext("faultcode"), fault.findtext("faultstring")) == (wire.code, wire.message)
    assert fault.findtext("detail/faultDetail") == wire.detail
    body, headers = rest_error(wire)
    assert json.loads(body) == {"type": wire.code, "message": wire.message, "detail": wire.detail}
    assert headers["x-road-error"] == wire.code


def test_a_bug_is_an_internal_error_whose_detail_finds_the_log_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sanarip_hub.log import configure

    configure("json", "info")
    try:
        wire = to_wire(RuntimeError(SECRET))
    finally:
        logged = capsys.readouterr().err
    assert (wire.code, wire.status, wire.message, wire.unexpected) == (
        "Server.InternalError", 500, "internal error", True
    )  # fmt: skip
    assert SECRET not in soap_fault(wire).decode() + rest_error(wire)[0].decode()
    line = next(json.loads(line) for line in logged.splitlines() if wire.detail in line)
    assert "RuntimeError" in line["exception"]
    assert "21212199212345" not in logged  # the traceback is logged, its PIN masked
