"""`python -m kpilib`: the command line (kpilib.cli)."""

from kpilib.cli import main

if __name__ == "__main__":
    main()
