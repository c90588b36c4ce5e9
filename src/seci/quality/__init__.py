"""Quality inspection (质检): scorecards, stratified samples of calls, scores and appeals."""
