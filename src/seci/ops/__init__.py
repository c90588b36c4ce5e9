"""Operations: backup and restore, health and readiness, structured logs."""
