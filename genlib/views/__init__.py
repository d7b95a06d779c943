"""Widget views, one module per lecture topic.

A view owns a matplotlib Figure (built with :func:`genlib.plots.figure`, never
pyplot) and an ``update(**state)`` method that only changes artists. A view may
list those artists in ``dynamic``: the widget then redraws only them over a
cached image of the rest (:class:`genlib.plots.Renderer`). Tests call
``update`` and read the artists back; :mod:`genlib.widgets` wires the view to
controls.
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
