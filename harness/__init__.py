"""Real desktop parts for the end-to-end tests and the benchmarks: a private session bus,
Xvfb, dunst and a bus monitor (desktop.py), and the test run's clock (clock.py)."""
