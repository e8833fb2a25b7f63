"""Run the command line: ``python -m graph``."""

from .cli import main

if __name__ == "__main__":
    main()
