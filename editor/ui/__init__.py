"""Widgets: the tree model, the form and its fields, the problems panel, the banner and the
dialogs. They work on a session document (editor.session) and never import the
application (editor.app)."""
