"""The ``dossier`` command line: the contract in DESIGN.md, over ``Library``."""
