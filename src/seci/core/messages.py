"""Words for codes: field names and validation rules, as shown to people."""

from __future__ import annotations

from typing import Any

from seci.core.errors import SeciError
from seci.core.i18n import N_, gettext

FIELD_LABELS: dict[str, str] = {
    "code": N_("Code"),
    "title": N_("Title"),
    "body": N_("Body"),
    "customer_answer": N_("Customer answer"),
    "module": N_("Business module"),
    "module_id": N_("Business module"),
    "queues": N_("Queues"),
    "queue_ids": N_("Queues"),
    "tags": N_("Tags"),
    "similar_questions": N_("Similar questions"),
    "audience": N_("Audience"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "kind": N_("Kind"),
    "comment": N_("Comment"),
    "reason": N_("Reason"),
    "password": N_("Password"),
    "username": N_("Username"),
    "canonical": N_("Standard term"),
    "category": N_("Category"),
    "department": N_("Department"),
    "answer_days": N_("Days to answer"),
    "bonus_yuan": N_("Bonus (yuan)"),
    "citation": N_("Citation"),
    "call_ref": N_("Call"),
    "team": N_("Team"),
    "questions": N_("Questions"),
    "answers": N_("Answers"),
    "pass_percent": N_("Pass mark (%)"),
    "variants": N_("Other ways to say it"),
    "pattern": N_("Words"),
    "concepts": N_("Concepts"),
    "example": N_("Example"),
    "area": N_("Area"),
    "content": N_("Content"),
    "source": N_("Source"),
    "method_name": N_("Method name"),
    "score_timely": N_("Timely"),
    "score_usable": N_("Usable"),
    "score_accurate": N_("Accurate"),
    "score_generality": N_("Generality"),
    "trial_from": N_("From"),
    "trial_to": N_("To"),
    "answer_due": N_("Answer by"),
    "due_date": N_("Evaluation due"),
    "evaluation_owner_id": N_("Evaluation owner"),
    "article_id": N_("Article"),
    "metric": N_("Metric"),
    "phase": N_("Phase"),
    "successes": N_("Successes"),
    "mean": N_("Mean"),
    "sd": N_("SD"),
    "verdict": N_("Verdict"),
    "conclusion": N_("Conclusion"),
    "file": N_("File"),
    "user_id": N_("Person"),
    "points": N_("Points"),
    "description": N_("Problem"),
    "resolution": N_("Resolution"),
    "note": N_("Note"),
    "answer": N_("Answer"),
    # call records and the roster
    "call_id": N_("Call ID"),
    "agent_id": N_("Agent ID"),
    "queue": N_("Queue"),
    "started_at": N_("Start time"),
    "duration_s": N_("Duration (s)"),
    "region": N_("Region"),
    "product": N_("Business topic"),
    "topic": N_("Business topic"),
    "channel": N_("Channel"),
    "turns": N_("Transcript"),
    "outcome": N_("Outcome"),
    "resolved_first_contact": N_("Resolved at first contact"),
    "satisfaction": N_("Satisfaction"),
    "complaint": N_("Complaint"),
    "complaint_category": N_("Complaint category"),
    "repeat_within_7d": N_("Repeat call within 7 days"),
    "name": N_("Name"),
    "hired_on": N_("Hired on"),
    "left_on": N_("Left on"),
    "stage": N_("Growth stage"),
    "agent": N_("Agent"),
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    # quality inspection
    "pass_mark": N_("Pass mark (%)"),
    "items": N_("Items"),
    "scorecard_id": N_("Scorecard"),
    "start": N_("From (day)"),
    "end": N_("To (day, inclusive)"),
    "size": N_("Sample size"),
    "seed": N_("Seed"),
    "dimensions": N_("Strata"),
    "filters": N_("Filters"),
    "failed_items": N_("Critical items failed"),
    "decision": N_("Decision"),
}

PROBLEM_MESSAGES: dict[str, str] = {
    "required": N_("This field is required."),
    "too_long": N_("Too long (at most {max} characters)."),
    "too_many": N_("Too many entries (at most {max})."),
    "unknown_queue": N_("Unknown queue: {value}."),
    "unknown_module": N_("Unknown business module: {value}."),
    "invalid_choice": N_("Not an allowed value: {value}."),
    "before_valid_from": N_("Valid to is earlier than valid from."),
    "bad_code": N_("A code may hold letters, digits, '-', '_' and '.' only: {value}."),
    "bad_date": N_("Not a date: {value} (write YYYY-MM-DD)."),
    "duplicate_in_file": N_("Code {value} already appears in row {first_row}."),
    "pending_revision": N_(
        "Article {value} has an unpublished revision; approve or reject it first."
    ),
    "formula": N_("The cell holds a spreadsheet formula; formulas are not imported."),
    "not_a_list": N_("Expected a list of texts."),
    "not_text": N_("Expected text."),
    "bad_json": N_("Not a valid JSON object ({value})."),
    "unknown_column": N_("Unknown column: {value}."),
    "no_module_access": N_("You have no access to the business module {value}."),
    "module_archived": N_("The business module {value} is archived."),
    "synonym_taken": N_("{value} is already a synonym of {other}."),
    # the situation lexicon
    "pattern_too_many_slots": N_("At most {max} groups of words (joined by +)."),
    "pattern_single_slot_too_short": N_(
        "With a single group of words, each word needs at least {min} characters (“{value}” "
        "is shorter): add a second group, or use the synonym table for a word alone."),
    "pattern_word_repeated": N_("“{value}” is in two groups; a word belongs to one group."),
    "example_does_not_fire": N_("The words do not all occur in the example “{value}”."),
    "out_of_range": N_("Must be between {min} and {max}."),
    "competency_deadline_past": N_("The deadline {value} has passed; pick today or later."),
    "competency_weights": N_("The weights of self, supervisor and peers must add up to 100 "
                             "({value})."),
    "competency_unknown_question": N_("Question {value} is not on this form."),
    "competency_bad_figure": N_("Line {value}: write a work number, a comma and a number."),
    "competency_not_rated": N_("{value} is not rated in this round."),
    "competency_reserved_measure": N_("{value} is taken from the call data; name your "
                                      "figure differently."),
    "reward_needed": N_("Grant a bonus, a red flower or both."),
    "quiz_options": N_("A question needs {min} to {max} options, none empty."),
    "quiz_answer": N_("The right answer must be one of the options."),
    "quiz_unanswered": N_("Answer all {count} questions."),
    "successes_out_of_range": N_("{value} is not between 0 and n."),
    "duplicate_figure": N_("{value} is already given in row {first_row}."),
    "not_a_number": N_("Not a number: {value}."),
    "missing_column": N_("The column {value} is missing."),
    "empty_file": N_("The file holds no rows."),
    "not_utf8": N_("The file is not UTF-8 text."),
    "bad_csv": N_("The file is not valid CSV: {value}"),
    "self_honour": N_("You cannot award an honour to yourself."),
    # hand-off rules and queue hours (assistant)
    "empty_keyword": N_("An empty word between two |; remove the extra |."),
    "keyword_separator": N_("“{value}” holds a comma or 、; separate keywords with | only."),
    "keyword_no_letters": N_("“{value}” has no letter or digit, so it cannot be matched."),
    "not_a_whole_number": N_("Not a whole number: {value}."),
    "bad_hours": N_("Write times as 08:00-20:00 (several ranges separated by commas): "
                    "{value}."),
    "closes_before_opens": N_("{value} closes before it opens; a range after midnight "
                              "belongs to the next day."),
    "overlapping_hours": N_("The ranges overlap: {value}."),
    "no_hours": N_("Enter the hours of at least one day, or choose around the clock."),
    # call records and the roster
    "control_character": N_("Holds a control character: {value}."),
    "not_boolean": N_("Not a yes/no value: {value} (write true/false, 1/0 or 是/否)."),
    "not_an_object": N_("Expected an object with the outcome's fields."),
    "bad_datetime": N_("Not a date and time: {value} (write 2026-09-01T09:15:00+08:00 or "
                       "2026-09-01 09:15)."),
    "date_does_not_exist": N_("The date {value} does not exist."),
    "in_future": N_("The call starts in the future: {value}."),
    "category_without_complaint": N_("A complaint category ({value}) is given but the call "
                                     "has no complaint."),
    "bad_turn": N_("Turn {turn} of the transcript is not a turn with speaker, text and "
                   "start_ms: {value}."),
    "bad_speaker": N_("Turn {turn}: the speaker must be customer or agent, not {value}."),
    "duplicate_call_in_file": N_("Call {value} already appears in row {first_row}."),
    "transcript_without_call": N_("No call {value} in this file or in SECI."),
    "left_before_hired": N_("Left before being hired ({value})."),
    "unknown_user": N_("No SECI user {value}."),
    "user_linked_elsewhere": N_("This login already belongs to agent {value}."),
    "period_order": N_("The period ends before it starts."),
    "hours_with_always": N_("You chose 24 hours, every day, but typed hours: choose “These "
                            "hours” to keep them, or clear the days."),
}


LABELS: dict[str, dict[str, str]] = {
    "status": {
        "draft": N_("Draft"),
        "in_review": N_("In review"),
        "published": N_("Published"),
        "retired": N_("Retired"),
        # conversations of the assistant (error messages name their state)
        "bot": N_("with the assistant"),
        "waiting": N_("waiting for an agent"),
        "with_agent": N_("with an agent"),
        "closed": N_("closed"),
    },
    "handoff_reason": {
        "explicit_request": N_("Asked for a person"),
        "complaint": N_("Complaint"),
        "insult": N_("Angry customer"),
        "tier": N_("Customer tier"),
        "failed_answers": N_("Assistant could not answer"),
        "negative_feedback": N_("Answers did not help"),
        "routing": N_("Routing"),
    },
    "rule_kind": {
        "keyword": N_("Keywords"),
        "tier": N_("Customer tier"),
        "failed_answers": N_("Failed answers in a row"),
        "negative_feedback": N_("Answers marked not helpful"),
        "module": N_("Business module"),
    },
    "conversation_status": {
        "bot": N_("With the assistant"),
        "waiting": N_("Waiting"),
        "with_agent": N_("With an agent"),
        "closed": N_("Closed"),
    },
    "callback_status": {
        "open": N_("Open"),
        "claimed": N_("Claimed"),
        "done": N_("Done"),
    },
    "situation_state": {
        "shipped": N_("Shipped"),
        "edited": N_("Shipped, changed"),
        "local": N_("Added here"),
        "disabled": N_("Disabled"),
    },
    "validity": {
        "valid": N_("Valid"),
        "scheduled": N_("Scheduled"),
        "expired": N_("Expired"),
    },
    "audience": {
        "customer": N_("Customers may see"),
        "internal": N_("Internal only"),
    },
    "feedback_kind": {
        "wrong": N_("Wrong"),
        "outdated": N_("Outdated"),
        "unclear": N_("Unclear"),
    },
    "feedback_status": {
        "open": N_("Open"),
        "accepted": N_("Being fixed"),
        "fixed": N_("Fixed"),
        "declined": N_("Declined"),
    },
    "role": {
        "agent": N_("Agent"),
        "editor": N_("Knowledge editor"),
        "reviewer": N_("Reviewer / quality"),
        "manager": N_("Business manager"),
        "supervisor": N_("Supervisor / team lead"),
        "trainer": N_("Trainer"),
        "analyst": N_("Analyst"),
        "admin": N_("Administrator"),
    },
    "source": {
        "review": N_("Review"),
        "import": N_("Import"),
        "rollback": N_("Rollback"),
    },
    "action": {
        "submitted": N_("submitted"),
        "reviewed": N_("reviewed"),
        "retired": N_("retired"),
        "rolled back": N_("rolled back"),
        "handled": N_("handled"),
        "screened": N_("screened"),
        "followed up": N_("followed up"),
        "answered": N_("answered"),
        "promoted": N_("promoted"),
        "evaluated": N_("evaluated"),
        "rejected": N_("rejected"),
    },
    "tacit_status": {
        "submitted": N_("Waiting for screening"),
        "routed": N_("With another department"),
        "trial": N_("On trial"),
        "promoting": N_("Best practice in review"),
        "evaluating": N_("Being evaluated"),
        "evaluated": N_("Evaluated"),
        "rejected": N_("Rejected"),
        "merged": N_("Merged into an article"),
        "answered": N_("Answered by the department"),
    },
    "tacit_step": {
        "mining": N_("Mining"),
        "screening": N_("Screening and trial"),
        "promotion": N_("Promotion"),
        "evaluation": N_("Evaluation"),
        "incentives": N_("Incentives"),
        "improvement": N_("Continuous improvement"),
    },
    "tacit_kind": {
        "experience": N_("Experience"),
        "method": N_("Work method"),
        "case": N_("Case"),
        "script": N_("Script"),
        "question": N_("Hard question with answer"),
    },
    "tacit_category": {
        "experience": N_("Experience"),
        "method": N_("Work method"),
        "case": N_("Case"),
        "question": N_("Question"),
        "department": N_("Suggestion for another department"),
    },
    "tacit_source": {
        "self": N_("Self-submitted"),
        "coaching": N_("Coaching team"),
        "interview": N_("Interview / observation"),
        "sharing": N_("Sharing session"),
        "brainstorm": N_("Brainstorm on a hard problem"),
        "data_mining": N_("Data mining"),
    },
    "tacit_metric": {
        "fcr": N_("First-contact resolution rate"),
        "satisfaction": N_("Satisfaction rate"),
        "repeat_complaints": N_("Repeat complaints"),
        "handling_time": N_("Handling time (s)"),
    },
    "tacit_team": {"trial": N_("Trial team"), "comparison": N_("Comparison team")},
    "tacit_phase": {"before": N_("Before the trial"), "after": N_("After the trial")},
    "tacit_evaluation": {"open": N_("Open"), "closed": N_("Closed")},
    "tacit_verdict": {"effective": N_("Effective"), "not_effective": N_("Not effective")},
    "tacit_issue": {"open": N_("Open"), "resolved": N_("Resolved")},
    "tacit_event": {"follow_up": N_("Follow-up"), "note": N_("Figures entered")},
    "tacit_honour": {
        "title": N_("Honour title"),
        "red_flag": N_("Rotating red flag"),
        "benchmark": N_("Benchmark employee"),
    },
    "tacit_reason": {
        "contribution_submitted": N_("Contribution accepted"),
        "contribution_adopted": N_("Contribution adopted"),
        "contribution_promoted": N_("Promoted to best practice"),
        "contribution_proven": N_("Proven effective"),
        "suggestion_adopted": N_("Suggestion adopted"),
    },
    "tacit_task": {
        "screen": N_("Screen"),
        "follow_up": N_("Follow up"),
        "promote": N_("Promote"),
        "evaluate": N_("Evaluate"),
        "resolve_issue": N_("Process problem"),
    },
    "suggestion_status": {
        "submitted": N_("Waiting for an answer"),
        "adopted": N_("Adopted"),
        "declined": N_("Not adopted"),
        "rewarded": N_("Rewarded"),
        "withdrawn": N_("Withdrawn"),
    },
    "suggestion_category": {
        "process": N_("Process"),
        "system": N_("System"),
        "product": N_("Product"),
        "management": N_("Management"),
    },
    "kpi": {
        "fcr": N_("First-contact resolution"),
        "satisfaction_mean": N_("Satisfaction (mean)"),
        "satisfaction_top2": N_("Satisfied (4–5)"),
        "complaint_rate": N_("Complaint rate"),
        "complaints_per_100": N_("Complaints per 100 calls"),
        "repeat_complaint_rate": N_("Repeat-complaint rate"),
        "repeat_7d_rate": N_("Repeat calls within 7 days"),
        "aht_s": N_("Average handling time (s)"),
        "over_long_share": N_("Over-long calls"),
    },
    "spc_rule": {
        "we1": N_("A point beyond the 3σ limits"),
        "we2": N_("2 of 3 points beyond 2σ on one side"),
        "we3": N_("4 of 5 points beyond 1σ on one side"),
        "we4": N_("8 points in a row on one side of the centre"),
        "nelson1": N_("A point beyond the 3σ limits"),
        "nelson2": N_("9 points in a row on one side of the centre"),
        "nelson3": N_("6 points in a row steadily rising or falling"),
        "nelson4": N_("14 points in a row alternating up and down"),
        "nelson5": N_("2 of 3 points beyond 2σ on one side"),
        "nelson6": N_("4 of 5 points beyond 1σ on one side"),
        "nelson7": N_("15 points in a row within 1σ (less spread than expected)"),
        "nelson8": N_("8 points in a row beyond 1σ on both sides"),
    },
    "spc_chart": {
        "p": N_("p-chart"),
        "u": N_("u-chart"),
        "xbar": N_("X̄-S chart"),
        "individuals": N_("I-MR chart"),
    },
    "funnel_position": {
        "above": N_("Above the limits"),
        "within": N_("Within the limits"),
        "below": N_("Below the limits"),
    },
    "grain": {
        "day": N_("Day"),
        "week": N_("Week"),
        "month": N_("Month"),
    },
    "stage": {
        "new": N_("New (新员工)"),
        "growing": N_("Growing (成长期)"),
        "mature": N_("Mature (成熟期)"),
    },
    "call_phase": {
        "opening": N_("opening"),
        "middle": N_("while working the problem"),
        "closing": N_("sign-off"),
    },
    "effect_size": {
        "cohens_h": N_("Cohen's h"),
        "hedges_g": N_("Hedges' g"),
        "rank_biserial": N_("rank-biserial r"),
        "cramers_v": N_("Cramér's V"),
        "cohens_w": N_("Cohen's w"),
    },
    "job_status": {
        "queued": N_("Waiting"),
        "running": N_("Running"),
        "succeeded": N_("Finished"),
        "failed": N_("Refused"),
        "crashed": N_("Failed"),
    },
    "job_phase": {
        "reading": N_("Reading and checking calls"),
        "transcripts": N_("Reading transcripts"),
        "checking": N_("Checking repeated calls and writing"),
        "writing": N_("Writing"),
        "thresholds": N_("Updating over-long thresholds"),
        # mining runs
        "extracting": N_("Reading transcripts"),
        "loading": N_("Loading the calls"),
        "scripts": N_("Testing agents' wordings"),
        "bursts": N_("Looking for bursts"),
        "gaps": N_("Looking for knowledge gaps"),
        "matching": N_("Matching agents to topics"),
        "long_calls": N_("Explaining over-long calls"),
        "saving": N_("Saving the findings"),
    },
    "process": {
        "feedback_handled": N_("纠错 handled"),
        "linkage_closed": N_("Post-linkage chain closed"),
        "handoff_accepted": N_("Hand-off accepted"),
    },
    "department": {
        "business": N_("Business management"),
        "quality": N_("Quality management"),
        "training": N_("Training"),
        "operations": N_("Operations (supervisors)"),
        "it": N_("IT support"),
    },
    "post": {
        "business": N_("Business management: drafts"),
        "quality": N_("Quality: review"),
        "publishing": N_("Publishing to the queues"),
        "training": N_("Training: quiz"),
        "agents": N_("Agents: read and quiz"),
        "supervisors": N_("Supervisors: team check"),
    },
    "post_status": {
        "done": N_("Done"),
        "open": N_("In progress"),
        "waiting": N_("Waiting"),
    },
    "inbox_kind": {
        "mining.burst": N_("See the burst of calls in your module"),
        "suggestion.answer": N_("Answer a suggestion"),
        "suggestion.reward": N_("Decide a suggestion's reward"),
        "notice.business": N_("Draft the notice's articles"),
        "notice.quality": N_("Review the notice's articles"),
        "notice.publishing": N_("Release the notice to the queues"),
        "notice.training": N_("Attach a quiz"),
        "notice.agents": N_("Read the notice and take its quiz"),
        "notice.supervisors": N_("Confirm your team is ready"),
    },
    "field": {
        "code": N_("Code"),
        "title": N_("Title"),
        "body": N_("Body"),
        "customer_answer": N_("Customer answer"),
        "module": N_("Business module"),
        "queues": N_("Queues"),
        "tags": N_("Tags"),
        "similar_questions": N_("Similar questions"),
        "audience": N_("Audience"),
        "valid_from": N_("Valid from"),
        "valid_to": N_("Valid to"),
    },
}
# Every field name has its word: label("field", name) covers the whole FIELD_LABELS table.
LABELS["field"] = {**FIELD_LABELS, **LABELS["field"]}

# Error parameters that hold a code rather than free text.
_CODED_PARAMS = {"status": "status", "action": "action", "step_status": "tacit_status"}


def label(kind: str, code: str | None) -> str:
    """The display word for a stored code, e.g. label("status", "in_review")."""
    if code is None:
        return ""
    text = LABELS.get(kind, {}).get(str(code))
    return gettext(text) if text else str(code)


def describe_error(error: SeciError) -> str:
    """The error's message in the current language, coded parameters translated too."""
    params = {
        key: label(_CODED_PARAMS[key], value) if key in _CODED_PARAMS else value
        for key, value in error.params.items()
    }
    return gettext(error.message, **params)


def field_label(name: str) -> str:
    return gettext(FIELD_LABELS.get(name, name)) if name in FIELD_LABELS else name


def describe_problem(problem: dict[str, Any]) -> str:
    """One sentence for a field problem ``{field|column, code, value, ...}``."""
    template = PROBLEM_MESSAGES.get(str(problem.get("code")))
    if template is None:
        return str(problem.get("code"))
    params = {k: v for k, v in problem.items() if k not in {"code", "field", "column"}}
    params.setdefault("value", "")
    return gettext(template, **params)
