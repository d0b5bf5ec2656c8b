"""Grading a learner's notebook where the learner's code cannot reach the grade.

* :mod:`.trusted`: the grader's process: the set's tests, run by otter's own runner, against
  stand-ins for the learner's definitions; decides the score (``python -m
  optimlite.autograde.trusted``, used by ``make grade``).
* :mod:`.isolation`: starts the learner's process with limits and, where Linux allows, no
  network, its own pids and read-only files.
* :mod:`.sandbox`: the learner's process: runs the notebook's cells, answers calls.
* :mod:`.wire`: the plain data that crosses between them (never a pickle).
* :mod:`.tamper`: reads a submission's code and says where it reaches for the grader (the CSV's
  ``flagged`` status).

Nothing here is imported by ``import optimlite``; otter-grader and IPython load only inside
the grader's and the learner's processes.
"""
