"""Workflows the main window installs: each adds its menu entries and runs its dialogs."""
