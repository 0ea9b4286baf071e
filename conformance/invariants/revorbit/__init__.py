"""Revenue Orbit's own invariants (000, 001): stage moves, stage flags, risk scoring, stage order, the Kanban
board, and the statements of 001 that the generic checks do not reach on this API: the writes beside
POST /deals (updates, a deal's notes and tasks, stages, the custom actions), the deal list's other
parameters, the files, and three rules every answer is judged by.

Most checks here are driven by the requirements catalogue (openapi/revorbit.requirements.yaml), as VAL-010
is: a requirement that names the check on an operation says, in its `about`, what the check probes there
(which field, which kind of value, which case). The package decides how to probe, never what the pages
state. Every record a check writes is the suite's own (X11): made here or by `run.fixtures`, adopted for
clean-up when a server creates one it should have refused. Stages are lookup data the document fixes, so
the suite only adds stages of its own next to them and deletes those; it never reorders them (the page's
reorder names every stage).

One module per job: what the catalogue asks (`catalogue`), which credential a request uses (`credentials`),
the suite's records and write targets (`records`, `write_targets`), how a refusal looks (`refusals`), and
the checks by subject; importing this package registers them all.
"""

from conformance.invariants.revorbit import (  # noqa: F401  (importing registers every check)
    answers,
    board,
    files,
    filters,
    lifecycles,
    list_parameters,
    quotes,
    risk,
    stages,
    write_readback,
    write_rules,
)
