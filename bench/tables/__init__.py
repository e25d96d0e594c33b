"""The generators of bench/scale.py: one module per table (or per table and its children).

Each `write_*` takes the Writer, the shared random generator and the scale, and
adds its row counts to `counts`. bench/scale.py calls them in a fixed order: the
rows depend on that order, because every generator draws from the one generator.
"""
