"""The application: start-up, windows, menus and the workflows that span several widgets
(editor.app.flows). It may import everything below it: editor.ui, editor.session, the core."""
