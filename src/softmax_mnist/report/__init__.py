"""The lab report: ``build.make_report`` runs the studies and writes it.

``cells`` (one number over seeds) → ``results`` (the records results.json holds) →
``ranking`` (ties, the basis of a comparison) → ``sections`` and ``observations`` (tables
and sentences by study kind, diagnostics) → ``figures``, ``figures_grid``,
``figures_diagnostics`` → ``render`` (markdown, self-contained HTML) → ``pdf``
(WeasyPrint); ``text`` and ``figure_text`` hold the words in English and Chinese.
"""

from .build import make_report
from .cells import Cell, make_cell

__all__ = ["Cell", "make_cell", "make_report"]
