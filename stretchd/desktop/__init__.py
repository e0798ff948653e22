"""The desktop's adapters: notifications over D-Bus, the terminal Start opens, what the person
is doing, X11, logind's resume, and the systemd user service."""
