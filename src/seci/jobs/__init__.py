"""Background jobs with progress (imports, exports, mining, evaluations)."""
