"""Case evaluation: the evaluation frame, the criteria (findings) and the engine that applies a policy pack.

Import from the submodules: `frame` (case_frame, EVAL_COLUMNS), `criteria` (CRITERIA, FINDINGS) and
`engine` (evaluate) and `explain` (explain: one case with its trace).
"""
