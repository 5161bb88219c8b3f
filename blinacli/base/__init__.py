"""What every layer may use: errors, findings, safe text and where bundled files are.

May import: the standard library only (and :data:`blinacli.__version__`). Every other
package imports from here; this package imports none of them.
"""
