"""Contracts as data: the WSDL and XSD files of the service the hub publishes (``sanaripaymak.wsdl``)
and of the registry services it consumes, generated from the ``Contract`` declarations by
``python -m sanarip_hub.contracts`` (a test checks each committed file is that rendering).

Loaded as package data by the adapters (zeep's consumers, the contract checks, the producer's
``/schemas``).
"""
