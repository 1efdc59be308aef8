"""One open document without widgets: the profile, its undo stack, its problems, its file.

Qt (QtCore, QtGui's undo stack) but no widget: the widgets in editor.ui and the
application in editor.app sit above it.
"""
