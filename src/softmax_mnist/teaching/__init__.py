"""Learn by doing: the student writes the course's ``loss.py`` and ``optimizer.py``, the
tool checks them and trains and reports on them.

Modules, from the bottom up (``runner`` imports the two lowest, so this package's
``__init__`` imports nothing):

- ``student``: import the student's files from a folder; describe their exceptions;
- ``adapter``: the student's classes behind the Solver's contract (``runner.fit_network``);
- ``reference``: the course interface done by us, vectorised and as a naive loop;
- ``speed``: time per call, and Python loops over the rows found by tracing;
- ``diagnose``: a wrong gradient, loss or update matched to the mistake that gives it;
- ``checks`` (forward and gradients), ``sgd_checks``, ``run_checks`` (speed, end to end),
  ``checklist``: the checks and their order;
- ``sandbox``: the checks in a child process with time and memory limits;
- ``outcome``: the results as lines, JSON and a grade sheet;
- ``scaffold``: the student's starting files, from ``templates/``.
"""
