"""Product passports: GS1 Digital Link addresses of lots and serials, and the EU deforestation
regulation's due-diligence data for a leather lot.

Plain Python: no Django import. The trace app assembles what a firm published and hands it here.
"""
