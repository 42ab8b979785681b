"""Residents' requests under the AVG: finding what a signal says about someone (art. 15)
and erasing it (art. 17). `blank.py` is the removal itself, shared with retention."""
