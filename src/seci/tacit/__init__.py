"""Tacit knowledge made explicit: the six-step contribution pipeline and its incentives."""
