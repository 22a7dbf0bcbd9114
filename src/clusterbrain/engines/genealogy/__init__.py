"""Lot genealogy: the lot graph from EPCIS-like events, trace back and forward, attribute
propagation (shares and intensities through mixing, yields and unit changes) and the
chain-of-custody rules (EUDR segregation, the mass-balance ledger).

Plain Python and numpy: no Django import, so it runs and is benchmarked alone.
"""
