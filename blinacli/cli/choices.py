"""The closed vocabularies of the command-line options, without Typer: the output
formats, the allocation designs and the statuses, and ``FILTERS``, the names of the
filter options that ``common._select`` reads.

``options`` declares the Typer options over them; the quick path of ``launch`` parses
them without building the app.
"""

from enum import StrEnum


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"


class Design(StrEnum):
    randomized = "randomized"
    single_arm = "single-arm"
    non_randomized = "non-randomized"


class Status(StrEnum):
    positive = "positive"
    negative = "negative"


FILTERS = (
    "drug",
    "phase",
    "design",
    "mrd",
    "ph",
    "endpoint",
    "year_from",
    "year_to",
    "min_n",
    "age",
    "search",
    "where",
)
