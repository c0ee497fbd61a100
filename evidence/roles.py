"""Every role reads the pack list; only those who hold core.export_data (auditor, compliance officer) create or download."""

PERMISSIONS: dict = {}
