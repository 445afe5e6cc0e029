"""Articles from files (``files``) and corpora built from the seeds (``corpus``)."""
