"""Discovery pages; each module is one area (apps, findings, runs, sources)."""
