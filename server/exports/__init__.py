"""Signals out of Gebiedsradar in open formats: CSV, GeoJSON and Open311 GeoReport v2.

One concept per module: `columns.py` (the fixed columns and what each holds),
`source.py` (which rows: the list's filters and the access rule, read in chunks),
`rounding.py` (locations to a grid), `csv_export.py` and `geojson_export.py` (bytes
per chunk), `stream.py` (one export as a generator: rows counted, personal reads
and the export itself in the audit log), `open311.py` with `open311_xml.py`
(the GeoReport v2 read side) and `config.py` (its settings), `routes.py`, `cli.py`.
"""
