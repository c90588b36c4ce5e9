"""The agent roster (坐席花名册)."""
