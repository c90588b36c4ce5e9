"""Call records, transcripts and the KPIs read from them."""
