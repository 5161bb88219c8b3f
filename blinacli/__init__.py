"""blinacli: a command-line evidence summarizer for clinical trials."""

__version__ = "0.2.0"
