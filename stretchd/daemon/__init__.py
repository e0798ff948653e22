"""The daemon: the core of stretchd, in parts (core.py composes them), with the ports the
desktop's adapters implement (ports.py). Importing the package imports nothing else."""
