"""Figures, in four rooms of one job each (every name is also importable from here):

* :mod:`~genlib.plots.theme`      - the style: colours, ``DPI``, ``MIN_FONT_PT``, ``style()``,
  ``figure()`` (a widget's figure, off pyplot), ``css_size``;
* :mod:`~genlib.plots.legibility` - the figure audit (``audit``, ``check_legible``,
  ``audit_when_asked``), with :mod:`~genlib.plots.audited_inline`, the pyplot backend that
  audits before ``plt.show()`` shows;
* :mod:`~genlib.plots.rendering`  - a widget's pixels: ``freeze_layout``, the blitting
  ``Renderer``, ``png_bytes``, ``encode_png``, ``with_caption``;
* :mod:`~genlib.plots.pictures`   - images as pictures: ``image_axes``, ``NearestImage``,
  ``picture_frame``.
"""
from .legibility import (FigureIllegible, audit, audit_when_asked, auditing, check_legible,  # noqa: F401
                         check_open_figures)
from .pictures import NearestImage, image_axes, picture_frame  # noqa: F401
from .rendering import Renderer, encode_png, freeze_layout, png_bytes, with_caption  # noqa: F401
from .theme import (COLORS, DPI, M_COLOR, MAX_WIDTH_IN, MIN_FONT_PT, P_COLOR, Q_COLOR, RATIO,  # noqa: F401
                    css_size, figure, inline_format, style)
