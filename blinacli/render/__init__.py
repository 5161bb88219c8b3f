"""Turning views into output: terminal tables (Rich), Markdown and HTML documents (Jinja
templates), the forest plot's drawing, and writing output files.

May import: :mod:`blinacli.views` and everything below it. Never interchange code or the
command line.
"""
