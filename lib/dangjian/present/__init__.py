"""Presentation: groups, charts, figures, narrative, tables on pages, notebooks, report pages and the workbook."""
