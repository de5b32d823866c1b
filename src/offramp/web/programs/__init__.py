"""The program directory: community treatment programs a diversion unit can refer people to."""
