"""``python -m cac`` runs the ``cac`` command."""

from cac.cli import main

main()
