"""Widget views, one module per lecture topic.

A view owns a matplotlib Figure (built with :func:`genlib.plots.figure`, never
pyplot) and an ``update(**state)`` method that only changes artists. Tests call
``update`` and read the artists back; :mod:`genlib.widgets` wires the view to
controls.
"""
