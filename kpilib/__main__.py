from kpilib.cli import main

main()
