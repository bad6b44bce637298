"""Bridges to other toolkits (imported lazily, never by ``import sim``)."""
