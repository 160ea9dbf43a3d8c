"""Building blocks of the demo data generator: text templates, PII values, sources and their defects."""
