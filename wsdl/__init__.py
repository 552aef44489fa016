"""Contracts as data: the WSDL/XSD and OpenAPI documents of published and consumed services.

Loaded as package data by the adapters.  No contract is shipped yet.
"""
