"""Order-to-supplier allocation: the cluster model, GAP files, a heuristic, HiGHS and CP-SAT.

Plain Python and numpy: no Django import, so it runs and is benchmarked alone.
"""
