"""Errors of quality inspection (质检)."""

from __future__ import annotations

from seci.core.errors import Conflict, NotFound, PermissionDenied, SeciError
from seci.core.i18n import N_


class ScorecardNotFound(NotFound):
    code = "qa_scorecard_not_found"
    message = N_("Scorecard {scorecard} not found.")


class ScorecardInUse(Conflict):
    code = "qa_scorecard_in_use"
    message = N_("Calls have been scored with this scorecard, so it can no longer change "
                 "(scores must stay comparable). Copy it as a new scorecard and retire "
                 "this one.")


class ScorecardRetired(Conflict):
    code = "qa_scorecard_retired"
    message = N_("This scorecard is retired; choose an active one.")


class SampleNotFound(NotFound):
    code = "qa_sample_not_found"
    message = N_("QA sample {sample} not found.")


class CallNotInSample(NotFound):
    code = "qa_call_not_in_sample"
    message = N_("Call {call} is not in this sample.")


class EmptyPopulation(SeciError):
    code = "qa_empty_population"
    status_code = 422
    message = N_("No calls match the period and filters: there is nothing to sample.")


class ScoreNotFound(NotFound):
    code = "qa_score_not_found"
    message = N_("QA score {score} not found.")


class AlreadyScored(Conflict):
    code = "qa_already_scored"
    message = N_("This call already has a score with this scorecard. Only the inspector "
                 "who gave it may change it, and only before the agent appeals.")


class OwnCall(PermissionDenied):
    code = "qa_own_call"
    message = N_("You cannot inspect or decide on your own calls.")


class NotYourCall(PermissionDenied):
    code = "qa_not_your_call"
    message = N_("Only the agent who took the call may appeal its score.")


class AppealNotFound(NotFound):
    code = "qa_appeal_not_found"
    message = N_("Appeal {appeal} not found.")


class AlreadyAppealed(Conflict):
    code = "qa_already_appealed"
    message = N_("This score has already been appealed; a score can be appealed once.")


class AppealWindowClosed(Conflict):
    code = "qa_appeal_window_closed"
    message = N_("The time to appeal this score ended on {deadline}.")


class AppealDecided(Conflict):
    code = "qa_appeal_decided"
    message = N_("This appeal has already been decided.")


class OwnScoreAppeal(PermissionDenied):
    code = "qa_four_eyes"
    message = N_("The inspector who gave the score cannot decide its appeal; another QA "
                 "manager must.")
