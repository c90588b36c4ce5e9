"""Figures that read several domains at once (key-process speed)."""
