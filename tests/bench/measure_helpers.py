"""Functions for bench.measure to run in a spawned child: module-level, and light to import."""


def allocate(n_bytes: int, *, label: str) -> tuple[str, int]:
    return label, len(b"x" * n_bytes)  # written, so resident: a zeroed buffer may not be


def fail() -> None:
    raise ValueError("planted failure")
