"""The demo organisation: declarations, a deterministic raw-data generator and its planted truth."""
