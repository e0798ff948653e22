"""A CPU-bound program and nothing else, for `make test-busy`: keeps one core busy until killed."""

from __future__ import annotations


def main() -> None:
    n = 0
    while True:
        n = (n * 1103515245 + 12345) % 2**31


if __name__ == "__main__":
    main()
