"""The editor's dialogs; each works on a session document and returns what the user chose."""
