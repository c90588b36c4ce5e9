"""A competency form saves as the rater goes: an autosave and the submit can arrive at the
same moment, on two connections. The second waits for the first and sees its answers (on
PostgreSQL it inserted the same answers again and failed on their unique key: a 500)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from seci.core.db import begin_writing
from seci.people import rounds
from seci.people.models import AssessmentAnswer, AssessmentForm, FormStatus, Relation
from tests.factories import build_world
from tests.people.helpers import forms_of, make_team, open_small_round, question_ids


def test_a_save_and_the_submit_arriving_together_both_succeed(
        committed_engine: Engine) -> None:
    with Session(committed_engine, expire_on_commit=False) as db:
        world = build_world(db)
        team = make_team(db, world)
        found = open_small_round(db, world, team, peers=2)
        form = next(f for f in forms_of(db, found) if f.relation == Relation.SUPERVISOR)
        scores = dict.fromkeys(question_ids(db, team), 4)
        lead = team.lead
        db.commit()

    first = Session(committed_engine, expire_on_commit=False)
    begin_writing(first)  # as a page's POST does (SQLite: the write lock from the start)
    # The autosave: its answers inserted, not yet committed (it holds the form's lock).
    rounds.save_form(first, actor=lead, form_id=form.id, scores=scores)
    failures: list[BaseException] = []

    def submit() -> None:
        with Session(committed_engine, expire_on_commit=False) as second:
            try:
                begin_writing(second)
                rounds.save_form(second, actor=lead, form_id=form.id, scores=scores,
                                 comment="很好", submit=True)
                second.commit()
            except BaseException as error:  # reported below, in the test's thread
                failures.append(error)

    racer = threading.Thread(target=submit)
    racer.start()
    time.sleep(0.5)  # the submit is now waiting for the autosave's transaction
    first.commit()
    first.close()
    racer.join(timeout=30)
    assert not racer.is_alive() and failures == []
    with Session(committed_engine) as db:
        saved = db.get(AssessmentForm, form.id)
        assert saved is not None and saved.status == FormStatus.SUBMITTED
        assert db.scalar(select(func.count()).select_from(AssessmentAnswer)
                         .where(AssessmentAnswer.form_id == form.id)) == len(scores)
