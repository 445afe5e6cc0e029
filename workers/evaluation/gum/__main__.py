"""``python -m workers.evaluation.gum``: see :func:`workers.evaluation.gum.main`."""

from workers.evaluation.gum import main

raise SystemExit(main())
