"""``python -m workers`` runs the ``newsflow`` command line."""

from workers.cli import main

raise SystemExit(main())
