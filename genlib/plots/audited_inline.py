"""A pyplot backend: a Jupyter kernel's inline backend, whose ``show`` first audits every open
figure (:func:`genlib.plots.legibility.check_open_figures`).

:func:`genlib.plots.legibility.audit_when_asked` selects it with ``plt.switch_backend`` when
``GENLIB_FIGURE_AUDIT=1``. Everything but ``show`` is the inline backend's own (the figures to
send at the end of a cell are tracked there), so figures are shown exactly as without it.
"""
from matplotlib_inline.backend_inline import (FigureCanvas, flush_figures, new_figure_manager,  # noqa: F401
                                              new_figure_manager_given_figure)
from matplotlib_inline.backend_inline import show as inline_show

from .legibility import check_open_figures


def show(close=None, block=None):
    check_open_figures()
    return inline_show(close=close, block=block)
