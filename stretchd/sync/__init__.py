"""The shared folder of [sync]: its line format, its files and their watch (no database here)."""
