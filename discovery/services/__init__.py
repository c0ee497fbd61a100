"""Writes for discovery: every change to governed rows is atomic and audited."""
