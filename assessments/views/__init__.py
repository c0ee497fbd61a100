"""HTML views: the assessment form with autosave and workflow, and vendor evidence checklists."""
