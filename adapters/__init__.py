"""The protocol edge: everything that speaks X-Road (Tunduk) on the wire.

* ``adapters/xroad``: the message protocol 4.0 header and envelopes, the one hardened XML parser,
  faults (:mod:`adapters.xroad.faults`: any error → SOAP fault or REST error), the consumers with
  their retry policy, circuit breaker and transport, certificate signing, the global configuration's
  member names, WSDL rendering; ``adapters/xroad/producer`` the producer's web application (SOAP,
  REST r1, WSDL, OpenAPI, per-worker HTTP limits);
* ``adapters/civil_registry``, ``adapters/tax``: the contracts of the registry services consumed.

Adapters call the services below them and are put together by :mod:`sanarip_hub.entrypoints`
(see ``docs/architecture.md``).
"""
