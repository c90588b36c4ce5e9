"""What to generate: period, volume, roster, data-platform messiness and planted effects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from seci.synthetic.effects import (
    BetterAgent,
    ComplaintSpike,
    EffectSpec,
    LongCalls,
    LuckyAgent,
    TeamGap,
    Training,
    UnstableAgent,
)
from seci.synthetic.mining import (
    ControlTopic,
    Decoys,
    GoldenScripts,
    KnowledgeGap,
    LongCauses,
    OutcomeStatements,
    Specialists,
    TopicBurst,
)

DEFAULT_TEAMS: tuple[tuple[str, int], ...] = (("A组", 12), ("B组", 12), ("C组", 12), ("VIP组", 8))


@dataclass(frozen=True)
class GeneratorConfig:
    """Everything that decides the output; the same config gives the same bytes.

    Volume is ``total_calls`` when set, else ``calls_per_day`` × days (weekday pattern and
    holidays shape the days; effects may add calls, e.g. an outage). Each planted effect is a
    spec; ``None`` switches it off. ``extra_effects`` takes further specs (text effects).
    The effects for transcript mining (``mining.py``) are off unless set, all at once by
    ``with_mining_effects()``.
    """

    seed: int = 20260831
    start: date = date(2026, 8, 31)  # a Monday: weeks are whole
    weeks: int = 13
    calls_per_day: float = 2000.0
    total_calls: int | None = None
    teams: tuple[tuple[str, int], ...] = DEFAULT_TEAMS  # "VIP组" serves VIP/全球通/投诉专席
    joiners: int = 3  # a training class joins the floor about 30 % into the period
    leavers: int = 3  # first-year agents who leave between 35 % and 85 % of the period
    demo_links: bool = True  # roster agents linked to the demo users agent/agent2/agent3
    transcripts: bool = True  # False: records without "turns" (much faster)
    pii_rate: float = 0.07  # calls where the caller reads out a phone, ID or card number
    missing_transcript_rate: float = 0.003  # records whose "turns" is empty
    duplicate_rate: float = 0.0  # calls exported at hang-up, re-exported ~7 days later
    naive_timestamps: bool = False  # started_at without "+08:00"
    satisfaction_drift: float = -0.02  # every team's satisfied share, start → end
    team_gap: TeamGap | None = field(default_factory=TeamGap)
    complaint_spike: ComplaintSpike | None = field(default_factory=ComplaintSpike)
    lucky_agent: LuckyAgent | None = field(default_factory=LuckyAgent)
    better_agent: BetterAgent | None = field(default_factory=BetterAgent)
    unstable_agent: UnstableAgent | None = field(default_factory=UnstableAgent)
    long_calls: LongCalls | None = field(default_factory=LongCalls)
    training: Training | None = field(default_factory=Training)
    # Effects for transcript mining: off unless set (see with_mining_effects).
    specialists: Specialists | None = None
    gap_topic: KnowledgeGap | None = None
    control_topic: ControlTopic | None = None
    burst: TopicBurst | None = None
    golden: GoldenScripts | None = None
    decoys: Decoys | None = None
    outcome_statements: OutcomeStatements | None = None
    long_causes: LongCauses | None = None
    extra_effects: tuple[EffectSpec, ...] = ()

    def effect_specs(self) -> list[EffectSpec]:
        """Switched-on effects in the order they act (routing changes before outcomes)."""
        built_in: list[EffectSpec | None] = [
            self.complaint_spike, self.lucky_agent, self.better_agent, self.unstable_agent,
            self.team_gap, self.long_calls, self.training,
            # Mining: specialists take their roles before top performers are chosen, and the
            # gap's new product exists before the phrase effects look at products.
            self.specialists, self.gap_topic, self.control_topic, self.burst, self.golden,
            self.decoys, self.outcome_statements, self.long_causes]
        return [spec for spec in built_in if spec is not None] + list(self.extra_effects)

    def with_mining_effects(self) -> GeneratorConfig:
        """A copy with every effect for transcript mining switched on, as specified by
        default: golden scripts, decoys, outcome statements, a burst, a knowledge gap and its
        control topic, specialists and a second cause of over-long calls."""
        return replace(self, specialists=Specialists(), gap_topic=KnowledgeGap(),
                       control_topic=ControlTopic(), burst=TopicBurst(), golden=GoldenScripts(),
                       decoys=Decoys(), outcome_statements=OutcomeStatements(),
                       long_causes=LongCauses())

    def without_effects(self) -> GeneratorConfig:
        """The same world with nothing planted (a null model for false-positive checks)."""
        return replace(self, team_gap=None, complaint_spike=None, lucky_agent=None,
                       better_agent=None, unstable_agent=None, long_calls=None, training=None,
                       specialists=None, gap_topic=None, control_topic=None, burst=None,
                       golden=None, decoys=None, outcome_statements=None, long_causes=None,
                       extra_effects=(), satisfaction_drift=0.0)
