"""Compare msgspec and pydantic v2 as blinacli's validation library.

Defines the same representative slice of the evidence model (nested structs, a
tagged union of measures, literals, numeric bounds, a cross-field rule) in both
libraries, then reports:

* the cost of importing the library and defining the model, in a fresh process
  (median of several runs), because every command pays it;
* the time to validate one study-sized document, warm;
* the error message each gives for the same broken inputs.

Run: python benchmarks/validation_choice.py
"""

from __future__ import annotations

import copy
import statistics
import subprocess
import sys
import textwrap
import timeit

MSGSPEC_MODEL = textwrap.dedent(
    """
    from typing import Annotated, Literal, Union
    import msgspec
    from msgspec import Meta, Struct

    Percent = Annotated[float, Meta(ge=0, le=100)]

    class Quote(Struct, forbid_unknown_fields=True):
        source: str
        quote: str

    class CI(Struct, forbid_unknown_fields=True):
        level: Annotated[float, Meta(gt=0, lt=100)]
        lower: float
        upper: float
        def __post_init__(self):
            if self.lower > self.upper:
                raise ValueError("lower limit exceeds upper limit")

    class Proportion(Struct, tag="proportion", tag_field="measure", forbid_unknown_fields=True):
        group: str
        n: Annotated[int, Meta(ge=0)]
        total: Annotated[int, Meta(ge=1)]
        percent: Percent | None = None
        cite: list[Quote] = []

    class Median(Struct, tag="median", tag_field="measure", forbid_unknown_fields=True):
        group: str
        value: float | Literal["not reached"]
        unit: Literal["days", "weeks", "months", "years"]
        cite: list[Quote] = []

    class Comparison(Struct, forbid_unknown_fields=True):
        estimate: float | None = None
        ci: CI | None = None
        p: float | str | None = None

    class Outcome(Struct, forbid_unknown_fields=True):
        endpoint: Literal["overall-survival", "relapse-free-survival", "complete-mrd-response"]
        results: list[Union[Proportion, Median]]
        comparison: Comparison | None = None

    class Study(Struct, forbid_unknown_fields=True):
        id: Annotated[str, Meta(pattern="^[a-z0-9][a-z0-9-]*$")]
        title: str
        phase: Literal[1, 2, 3, 4, "1/2", "2/3"]
        outcomes: list[Outcome]

    def validate(data):
        return msgspec.convert(data, Study)
    """
)

PYDANTIC_MODEL = textwrap.dedent(
    """
    from typing import Annotated, Literal, Union
    from pydantic import BaseModel, ConfigDict, Field, model_validator

    Percent = Annotated[float, Field(ge=0, le=100)]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

    class Quote(Strict):
        source: str
        quote: str

    class CI(Strict):
        level: Annotated[float, Field(gt=0, lt=100)]
        lower: float
        upper: float
        @model_validator(mode="after")
        def ordered(self):
            if self.lower > self.upper:
                raise ValueError("lower limit exceeds upper limit")
            return self

    class Proportion(Strict):
        measure: Literal["proportion"]
        group: str
        n: Annotated[int, Field(ge=0)]
        total: Annotated[int, Field(ge=1)]
        percent: Percent | None = None
        cite: list[Quote] = []

    class Median(Strict):
        measure: Literal["median"]
        group: str
        value: float | Literal["not reached"]
        unit: Literal["days", "weeks", "months", "years"]
        cite: list[Quote] = []

    class Comparison(Strict):
        estimate: float | None = None
        ci: CI | None = None
        p: float | str | None = None

    class Outcome(Strict):
        endpoint: Literal["overall-survival", "relapse-free-survival", "complete-mrd-response"]
        results: list[Annotated[Union[Proportion, Median], Field(discriminator="measure")]]
        comparison: Comparison | None = None

    class Study(Strict):
        id: Annotated[str, Field(pattern="^[a-z0-9][a-z0-9-]*$")]
        title: str
        phase: Literal[1, 2, 3, 4, "1/2", "2/3"]
        outcomes: list[Outcome]

    def validate(data):
        return Study.model_validate(data)
    """
)

OUTCOME = {
    "endpoint": "overall-survival",
    "results": [
        {"measure": "median", "group": "a", "value": "not reached", "unit": "months"},
        {
            "measure": "proportion",
            "group": "b",
            "n": 88,
            "total": 113,
            "percent": 78,
            "cite": [{"source": "abstract", "quote": "Eighty-eight (78%)"}],
        },
    ],
    "comparison": {"estimate": 0.41, "ci": {"level": 95, "lower": 0.23, "upper": 0.73}, "p": 0.002},
}
GOOD = {
    "id": "e1910",
    "title": "Blinatumomab for MRD-negative ALL",
    "phase": 3,
    "outcomes": [copy.deepcopy(OUTCOME) for _ in range(10)],
}

BROKEN = {
    "wrong type": ("outcomes", 0, "comparison", "ci", "lower", "abc"),
    "percent over 100": ("outcomes", 0, "results", 1, "percent", 120),
    "unknown key": ("outcomes", 0, "comparison", "extra", 1),
    "CI reversed": ("outcomes", 0, "comparison", "ci", "lower", 0.9),
    "bad tag": ("outcomes", 0, "results", 0, "measure", "mean"),
}


def _broken(path: tuple) -> dict:
    data = copy.deepcopy(GOOD)
    node = data
    for key in path[:-2]:
        node = node[key]
    node[path[-2]] = path[-1]
    return data


def _startup(model: str) -> float:
    code = "import time; t = time.perf_counter()\n" + model + "\nprint(time.perf_counter() - t)"
    runs = []
    for _ in range(7):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout))
    return statistics.median(runs)


def main() -> None:
    for name, model in (("msgspec", MSGSPEC_MODEL), ("pydantic", PYDANTIC_MODEL)):
        namespace: dict = {}
        # dont_inherit: this file's future import must not turn the model's annotations into strings
        exec(compile(model, name, "exec", dont_inherit=True), namespace)
        validate = namespace["validate"]
        runs = timeit.repeat(lambda v=validate: v(GOOD), number=200, repeat=5)
        per_call = min(runs) / 200
        print(f"== {name}")
        print(f"import + model definition: {_startup(model) * 1000:.1f} ms (median of 7 processes)")
        print(f"validate one study-sized document: {per_call * 1e6:.0f} us")
        for label, path in BROKEN.items():
            try:
                validate(_broken(path))
            except Exception as exc:  # both libraries raise their own ValidationError
                lines = str(exc).strip().splitlines()[:3]  # pydantic adds a docs link line
                print(f"  {label}: " + "\n    ".join(lines))
        print()


if __name__ == "__main__":
    main()
