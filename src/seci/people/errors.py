"""Errors of the competency domain."""

from __future__ import annotations

from seci.core.errors import Conflict, InvalidInput, NotFound
from seci.core.i18n import N_


class ModelNotFound(NotFound):
    code = "competency_model_not_found"
    message = N_("No such competency model.")


class RoundNotFound(NotFound):
    code = "competency_round_not_found"
    message = N_("No such assessment round, or it is not one you may see.")


class FormNotFound(NotFound):
    code = "competency_form_not_found"
    message = N_("No such assessment form, or it is not yours.")


class ModelInUse(Conflict):
    code = "competency_model_in_use"
    message = N_("This model is used by an assessment round and can no longer change; "
                 "make a copy to change it.")


class RoundClosed(Conflict):
    code = "competency_round_closed"
    message = N_("This assessment round is closed.")


class FormSubmitted(Conflict):
    code = "competency_form_submitted"
    message = N_("This form has been submitted and can no longer change.")


class TeamWithoutAgents(InvalidInput):
    code = "competency_team_empty"
    message = N_("The roster has no current agents in team {team}.")


class NotEnoughRatings(InvalidInput):
    code = "competency_not_enough"
    message = N_("Not enough data for this figure (n={n}, need {need}).")


class AgentNotFound(NotFound):
    code = "competency_agent_not_found"
    message = N_("No such agent in the roster, or not of a team you work with.")


class UnknownMeasure(InvalidInput):
    code = "competency_unknown_measure"
    message = N_("Unknown measure {value}.")


class RoundNotClosed(Conflict):
    code = "competency_round_not_closed"
    message = N_("Close the assessment round first: plans and comparisons use final results.")


class PlansExist(Conflict):
    code = "training_plans_exist"
    message = N_("Plans were already made from this round; edit them instead.")


class PlanNotFound(NotFound):
    code = "training_plan_not_found"
    message = N_("No such training plan, or it is not one you may see.")


class PlanItemNotFound(NotFound):
    code = "training_item_not_found"
    message = N_("No such plan item, or it is not assigned to you.")


class ExamItemByAttempt(Conflict):
    code = "training_exam_by_attempt"
    message = N_("An exam item is done when you pass the exam.")


class PairNotFound(NotFound):
    code = "coaching_pair_not_found"
    message = N_("No such coaching pair, or it is not one you may see.")


class PairEnded(Conflict):
    code = "coaching_pair_ended"
    message = N_("This coaching pair has already ended.")


class HonourNotAllowed(Conflict):
    code = "coaching_honour_not_allowed"
    message = N_("Only a manager of incentives may award an honour; end the pair without one.")


class ReassessmentExists(Conflict):
    code = "training_reassessment_exists"
    message = N_("This round already has a re-assessment round.")


class QuestionNotFound(NotFound):
    code = "exam_question_not_found"
    message = N_("No such exam question.")


class ExamNotFound(NotFound):
    code = "exam_not_found"
    message = N_("No such exam.")


class AttemptNotFound(NotFound):
    code = "exam_attempt_not_found"
    message = N_("No such exam attempt, or it is not yours.")


class AttemptFinished(Conflict):
    code = "exam_attempt_finished"
    message = N_("This attempt is finished and can no longer change.")


class AttemptExpired(Conflict):
    code = "exam_attempt_expired"
    keeps_changes = True  # the grade made at the deadline
    message = N_("The time is up: answers after the time limit are not accepted. The attempt "
                 "was graded with the answers saved before.")


class NotEnoughQuestions(InvalidInput):
    code = "exam_not_enough_questions"
    message = N_("The question bank has only {available} reviewed questions for this exam; it "
                 "needs {needed}.")


class NoAttemptsLeft(Conflict):
    code = "exam_no_attempts_left"
    message = N_("You have used all {limit} attempts of this exam.")


class NothingToGenerate(InvalidInput):
    code = "exam_nothing_to_generate"
    message = N_("No questions could be generated from this article (no fees, limits, time "
                 "frames, numbers or similar questions found).")



class NotCertified(Conflict):
    """The queue gate: an agent is added only to queues they hold a valid certification
    for (queues without requirements are open)."""

    code = "queue_not_certified"
    message = N_("{user} holds no valid certification for queue {queue} (never granted, "
                 "expired or revoked): certify them on the certification page first, or "
                 "have a manager grant the certification with a reason.")

    def extra(self) -> dict[str, object]:
        return {"queue": self.params.get("queue"), "queue_id": self.params.get("queue_id"),
                "missing": "certification"}


class RequirementNotFound(NotFound):
    code = "cert_requirement_not_found"
    message = N_("Queue {queue} has no certification requirements: it is open to every "
                 "agent.")


class CertificationNotFound(NotFound):
    code = "certification_not_found"
    message = N_("No such certification, or it is not one you may see.")


class ReasonRequired(InvalidInput):
    code = "cert_reason_required"
    message = N_("Give a reason: it is kept in the audit log.")


class NotReadyToMoveUp(Conflict):
    code = "stage_not_ready"
    message = N_("This agent does not meet the rules of the next growth stage yet; a "
                 "manager may move them up with a reason.")


class TopStage(Conflict):
    code = "stage_top"
    message = N_("This agent is already in the last growth stage.")
