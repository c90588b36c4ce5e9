"""The queue gate through the command line: `seci user create --queue` refuses an agent
for a queue that asks for a certification (a new agent holds none) and creates nobody."""

from __future__ import annotations

from sqlalchemy import func, select

from seci.accounts.models import Queue, User
from seci.core.db import session_scope
from seci.people.cert_models import CertRequirement
from tests.test_cli import PASSWORD, cli_db, seci

__all__ = ["cli_db"]


def test_the_cli_refuses_a_new_agent_in_a_gated_queue(cli_db: str) -> None:
    assert seci("user", "create", "wang", "--password", PASSWORD, "--role", "agent",
                "--queue", "B").exit_code == 0  # open while B has no requirements
    with session_scope() as session:
        queue = session.scalar(select(Queue).where(Queue.code == "VIP"))
        assert queue is not None
        session.add(CertRequirement(queue_id=queue.id, min_stage="growing"))
    result = seci("user", "create", "zhao", "--password", PASSWORD, "--role", "agent",
                  "--queue", "VIP")
    assert result.exit_code == 1
    assert "VIP" in result.output
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(User)
                              .where(User.username == "zhao")) == 0
    # Staff roles are not gated.
    assert seci("user", "create", "li", "--password", PASSWORD, "--role", "supervisor",
                "--queue", "VIP").exit_code == 0
