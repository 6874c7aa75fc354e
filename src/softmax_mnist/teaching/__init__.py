"""Learn by doing: the student writes the course's ``loss.py`` and ``optimizer.py``, the
tool checks them and trains and reports on them.

Modules, from the bottom up (``runner`` imports the two lowest, so this package's
``__init__`` imports nothing):

- ``student``: import the student's files in this process (``--impl``: the student's own
  code on the student's machine); describe their exceptions;
- ``adapter``: the student's classes behind the Solver's contract (``runner.fit_network``);
- ``reference``: the course interface done by us, vectorised and as a naive loop;
- ``speed``: time per call, and Python loops over the rows found by tracing (the report);
- ``impls``: a ``--impl`` folder of either lab (lab 1's here, lab 2's in ``lab2/``): what
  trains it, what it cannot train, how runs record it;

``check`` — the verdict is made where no student code runs:

- ``probe`` (the child script, stdlib + NumPy only) and ``probe_reply`` (the parent's
  side): steps and arrays in, plain values out, validated;
- ``sandbox``: the child under bubblewrap (or process limits), one probe at a time;
- ``static``: the student's files read as text — imports, syntax errors, loops;
- ``context``, ``diagnose``: what a check works with; a wrong number matched to the
  mistake that gives it;
- ``checks``, ``forward_checks``, ``sgd_checks``, ``run_checks``, ``checklist``: the
  checks and their order; ``rubric`` (``rubric.toml``): points and levels;
- ``grading``: one folder, end to end (many at a time: ``--jobs``); ``outcome``: lines,
  JSON, CSV, Gradescope;
- ``scaffold``: the student's starting files, from ``templates/``.
"""
