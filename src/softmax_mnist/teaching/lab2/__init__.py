"""Lab 2 of the course (案例2): the student's NumPy MLP, in the course's files.

The student writes ``layers/fc_layer.py``, ``layers/relu_layer.py``,
``layers/sigmoid_layer.py``, ``criterion/euclidean_loss.py``,
``criterion/softmax_cross_entropy.py`` and ``optimizer.py``; ``network.py`` is given.

Modules, from the bottom up:

- ``course``: the course's files and classes (one table for everything below);
- ``reference``: lab 2's math in NumPy, the oracle the judges compare with;
- ``probe``: the step language a check sends to the code under test, built parent side;
- ``executor``: that language said in lab 1's (``teaching/probe.py``), answered by the
  sandboxed child (``teaching/sandbox.py``) or, for tests, in this process;
- ``verdict``: a judge's verdict, in English and Chinese;
- ``judge_layers``, ``judge_training``: the checks, each a probe and a judge (a pure
  function of the values the probe kept);
- ``checklist``: the checks in order, their points and levels, and the one call into the
  executor;
- ``scaffold``: the student's starting files, from ``templates/<lang>/``;
- ``learner``: the student's network, loss and SGD behind the Solver's contract;
- ``fit``: the options of ``train --impl DIR --lab 2`` (the course's runner).
"""
