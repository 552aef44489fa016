"""Actualization: registry differences flagged, reviewed and resolved — never silently applied."""
