"""The producer's rules: which client may call which service under which agreement, receiving which
fields (:mod:`.agreements`, :mod:`.field_grants`, :mod:`.dispatch`), and who may learn who looked at a
person (:mod:`.usage_report`).  The SOAP and REST endpoints that speak these rules on the wire are in
:mod:`adapters.xroad.producer`."""
