"""`vpn-profile`: the command-line tool on the same core as the editor.

`main` parses and dispatches; each other module adds one group of commands; `common`
holds what they share (the exit codes, the one-line failure, the parser class).
"""
