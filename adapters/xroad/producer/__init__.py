"""The producer on the wire: the ASGI application (``POST /xroad`` SOAP, ``/rest`` REST r1, WSDL,
OpenAPI), the SOAP and REST endpoints, rendering of answers, and per-worker HTTP limits."""
