"""The control socket: its transport (framing, lock, peer credentials) and the `status --follow`
client; the requests themselves are the daemon's (daemon/commands.py)."""
