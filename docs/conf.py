"""Sphinx configuration of newsflow's documentation: ``make docs`` builds ``docs/`` into ``site/``.

The pages are Markdown as GitHub renders it (CommonMark and its tables), read by MyST, so a
page reads the same in the repository and in the built site.
"""

project = "newsflow"
language = "en"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}

# GitHub's slugs for headings, so that `page.md#a-heading` links work on GitHub and here,
# and a link to a missing heading is a warning (so an error under `make docs`).
myst_heading_anchors = 4
# The pages quote commands and figures word for word: no curly quotes or dashes added.
smartquotes = False

html_theme = "furo"
html_title = "newsflow"
html_show_sourcelink = False
html_show_copyright = False
