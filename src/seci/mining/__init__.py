"""Mining call transcripts for knowledge: golden scripts, hot topics and bursts, knowledge
gaps, agent–call matching, over-long calls (docs/mining.md)."""
