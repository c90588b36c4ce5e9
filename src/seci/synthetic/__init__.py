"""Synthetic 10086-style call records with transcripts, and effects planted on purpose.

    from seci.synthetic import GeneratorConfig, generate, write_dataset

    data = generate(GeneratorConfig(seed=7, total_calls=50_000))
    data.roster, data.truth          # the agents; what was planted
    for call in data.calls(): ...    # a stream, constant memory, deterministic

    # calls.jsonl, roster.jsonl, ground_truth.json (and calls.csv, transcripts.jsonl)
    truth = write_dataset(GeneratorConfig(), "out/", csv_files=True)

    # plus effects for transcript mining (golden scripts, decoys, outcome statements, a burst,
    # a knowledge gap and its control, specialists, causes of long calls); their truths are in
    # truth.extensions (see seci.synthetic.mining)
    data = generate(GeneratorConfig().with_mining_effects())
"""

from seci.synthetic.calls import Dataset, generate
from seci.synthetic.config import GeneratorConfig
from seci.synthetic.effects import (
    BetterAgent,
    ComplaintSpike,
    Effect,
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
    PhraseFamily,
    Specialists,
    TopicBurst,
)
from seci.synthetic.truth import GroundTruth
from seci.synthetic.world import ConfigError, DayBatch, Habit, World
from seci.synthetic.writers import (
    write_calls_csv,
    write_dataset,
    write_jsonl,
    write_roster_jsonl,
    write_transcripts_jsonl,
)

__all__ = [
    "BetterAgent",
    "ComplaintSpike",
    "ConfigError",
    "ControlTopic",
    "Dataset",
    "DayBatch",
    "Decoys",
    "Effect",
    "EffectSpec",
    "GeneratorConfig",
    "GoldenScripts",
    "GroundTruth",
    "Habit",
    "KnowledgeGap",
    "LongCalls",
    "LongCauses",
    "LuckyAgent",
    "OutcomeStatements",
    "PhraseFamily",
    "Specialists",
    "TeamGap",
    "TopicBurst",
    "Training",
    "UnstableAgent",
    "World",
    "generate",
    "write_calls_csv",
    "write_dataset",
    "write_jsonl",
    "write_roster_jsonl",
    "write_transcripts_jsonl",
]
