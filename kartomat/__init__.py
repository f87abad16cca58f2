"""kartomat: the composition root (settings, bootstrap) and the command-line entry point."""
