"""Widget views, one module per lecture topic.

A view owns a matplotlib Figure (built with :func:`genlib.plots.figure`, never
pyplot) and an ``update(**state)`` method that only changes artists. A view may
list those artists in ``dynamic``: the widget then redraws only them over a
cached image of the rest (:class:`genlib.plots.Renderer`). Tests call
``update`` and read the artists back; :mod:`genlib.widgets` wires the view to
controls.

The figure is drawn at ``plots.RATIO`` pixels per CSS pixel and shown at its
size in inches times ``plots.DPI`` CSS pixels, uncropped: every view's figure,
in its default state and after ``random_state`` updates, passes
``plots.audit(fig, widget=True)`` (``tests/test_figures.py``): text of at least
9 pt inside the figure, no overlapping text, legends off the data, a title, at
most ``plots.MAX_WIDTH_IN`` inches wide. Lay the figure out once
(:func:`genlib.plots.freeze_layout`) with its titles already holding text of the
length ``update`` will put there, or they are cut off.
"""


def all_views():
    """Every view class with a ``random_state``: ``(module name, class name, class)``."""
    import importlib
    import inspect
    import pkgutil

    found = []
    for mod in pkgutil.iter_modules(__path__):
        m = importlib.import_module(f"{__name__}.{mod.name}")
        for name, cls in inspect.getmembers(m, inspect.isclass):
            if cls.__module__ == m.__name__ and hasattr(cls, "random_state") and hasattr(cls, "update"):
                found.append((mod.name, name, cls))
    return found


def instance(cls):
    """A ready view: ``cls.bench_instance()`` where a view needs a model, else ``cls()``."""
    return cls.bench_instance() if hasattr(cls, "bench_instance") else cls()
