"""Analysis: one tidy frame of answers, and the summaries built from it."""
