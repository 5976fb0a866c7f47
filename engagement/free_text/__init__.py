"""Respondents' own words through the free-text engine, one concept per module:

- ``analyse``: which answers still need the engine, and running it over them (redacted text, themes, sentiment)
- ``job``: the background analysis job, its cross-instance lease and its stored progress
- ``stored``: the analysed answers as stored (the analysed-answer frame, training text)
- ``redaction``: redacted text for every answer that carries respondent-written text
- ``themes``: the themes each answer carries (model and analyst) and '% of respondents mentioning'
- ``review``: analyst review of comments and the training examples their decisions make
"""
