"""The course tools: what instructors and contributors run, never a lecture's kernel.

    python -m genlib.course run [LECTURE ...] -p NAME VALUE --out runs/   # execute lectures, report.md
    python -m genlib.course students [--check]                          # student copies; their preview
    python -m genlib.course build [LECTURE ...]                         # notebooks from their sources
    python -m genlib.course check                                       # built files match the sources?

One module per job:

* ``registry``   - the lecture list and the course's folders (one place);
* ``parameters`` - ``-p`` values, parameter files, and the pre-check that evaluates a
  lecture's own ``genlib.validate(...)`` call before any kernel starts;
* ``kernels``    - how the tools start Jupyter kernels (IPC transport, private temp folder);
* ``runner``     - papermill in a process pool: progress, atomic outputs, interruptions;
* ``records``    - the run record files ``<NAME>.run.json``;
* ``summary``    - ``report.md``, over every lecture in an output folder;
* ``students``   - solution regions, student copies and their preview;
* ``notebooks``  - the build of ``lectures/NN_name.ipynb`` from ``lectures/src/NN_name.py``;
* ``colab``      - Colab badges and the install cell, from ``[tool.genlib]``;
* ``cli``        - the command line above (``__main__`` runs it).

Imports go one way: ``genlib.course`` imports the kernel side (``genlib.runtime``,
``genlib.params``, ...); nothing a lecture imports imports ``genlib.course``
(``tests/test_house.py`` checks it).
"""
