"""Synthetic evidence for the benchmarks: many valid, varied study files.

Every study is invented from a seeded random generator: made-up drug names, arms,
endpoints, figures and quotes. None describes a real trial. The files differ in
design (single-arm or randomized with two or three arms), phase, population,
dosing, the number and kind of outcomes and the safety table, so a benchmark
exercises the loader and the views the way a real evidence base would, not the
same document parsed ten thousand times.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

DRUGS = [
    "examplumab",
    "testinib",
    "fixturase",
    "mockitumab",
    "placebomide",
    "benchmarcept",
    "samplotuzumab",
    "syntheticlib",
]
ENDPOINTS = [
    ("overall-survival", "Overall survival"),
    ("relapse-free-survival", "Relapse-free survival"),
    ("event-free-survival", "Event-free survival"),
    ("complete-remission", "Complete remission"),
    ("mrd-response", "MRD response"),
]
EVENTS = ["neutropenia", "infection", "cytokine release syndrome", "neurologic events", "fever"]
MASKING = ["open-label", "double-blind", "single-blind"]
HEADER = "# SYNTHETIC BENCHMARK STUDY: invented by benchmarks/synthetic.py. Not a real study.\n"


def _quote(text: str) -> list[dict[str, str]]:
    return [{"source": "syn", "quote": text}]


def _ci(rng: random.Random, estimate: float) -> dict[str, object]:
    lower = round(estimate * rng.uniform(0.5, 0.9), 2)
    upper = round(estimate * rng.uniform(1.1, 1.8), 2)
    return {"level": rng.choice([95, 95, 90]), "lower": lower, "upper": upper}


def study(index: int, seed: int = 0) -> dict[str, object]:
    """The ``index``-th synthetic study: valid, and different from its neighbours."""
    rng = random.Random(seed * 1_000_003 + index)
    sid = f"syn-{index:05d}"
    randomized = rng.random() < 0.6
    drugs = rng.sample(DRUGS, 2)
    arm_ids = ["a", "b", "c"][: rng.choice([2, 3])] if randomized else ["a"]
    per_arm = rng.randrange(20, 400)
    arms = [
        {
            "id": arm,
            "label": f"{drugs[0] if arm != 'b' else drugs[1]} arm {arm.upper()}",
            "role": "experimental" if arm != "b" else "active-comparator",
            "cite": _quote(f"arm {arm.upper()}"),
        }
        for arm in arm_ids
    ]
    enrollment: list[dict[str, object]] = [
        {
            "stage": "randomized" if randomized else "enrolled",
            "n": per_arm * len(arm_ids),
            "cite": _quote(f"{per_arm * len(arm_ids)} patients"),
        }
    ]
    if randomized:
        enrollment += [
            {"stage": "randomized", "arm": arm, "n": per_arm, "cite": _quote(f"{per_arm} per arm")}
            for arm in arm_ids
        ]
    chosen = rng.sample(ENDPOINTS, rng.randint(1, 3))
    outcomes = []
    for number, (endpoint, label) in enumerate(chosen):
        results: list[dict[str, object]] = []
        for arm in arm_ids:
            if endpoint in ("complete-remission", "mrd-response"):
                n = rng.randrange(0, per_arm + 1)
                results.append(
                    {
                        "measure": "proportion",
                        "group": arm,
                        "n": n,
                        "total": per_arm,
                        "cite": _quote(f"{n}/{per_arm}"),
                    }
                )
            else:
                months = round(rng.uniform(3, 60), 1)
                results.append(
                    {
                        "measure": "time",
                        "group": arm,
                        "value": months,
                        "unit": "months",
                        "cite": _quote(f"median {months} months"),
                    }
                )
        outcome: dict[str, object] = {
            "id": f"outcome-{number + 1}",
            "endpoint": endpoint,
            "label": f"{label} (synthetic {index})",
            "role": "primary" if number == 0 else "secondary",
            "population": "all",
            "results": results,
        }
        if randomized:
            estimate = round(rng.uniform(0.3, 1.4), 2)
            p = rng.choice(["<0.001", round(rng.uniform(0.001, 0.9), 3)])
            outcome["comparison"] = {
                "groups": [arm_ids[0], arm_ids[1]],
                "measure": "hazard-ratio" if "survival" in endpoint else "odds-ratio",
                "estimate": estimate,
                "ci": _ci(rng, estimate),
                "p": p,
                "cite": _quote(f"ratio {estimate}"),
            }
        outcomes.append(outcome)
    safety = []
    for _ in range(rng.randint(0, 4)):
        arm = rng.choice(arm_ids)
        n = rng.randrange(0, per_arm + 1)
        safety.append(
            {
                "kind": "event",
                "category": rng.choice(EVENTS),
                "grade": rng.choice([3, 4]),
                "arm": arm,
                "n": n,
                "total": per_arm,
                "cite": _quote(f"{n} of {per_arm}"),
            }
        )
    age_min = rng.choice([18, 18, 30, 40])
    phase = rng.choice([1, 2, 3, 3, 3, "1/2", "2/3"])
    data: dict[str, object] = {
        "id": sid,
        "acronym": f"SYN-{index}",
        "title": f"Synthetic trial {index} of {drugs[0]}",
        "drugs": drugs if randomized else drugs[:1],
        "condition": "B-cell precursor acute lymphoblastic leukemia",
        "citation": {
            "authors": [f"Synthetic {chr(65 + index % 26)}"],
            "title": f"Synthetic trial {index} of {drugs[0]}",
            "journal": "Journal of Benchmark Fixtures",
            "year": 2000 + index % 26,
            "cite": _quote(f"Synthetic trial {index}"),
        },
        "sources": [
            {
                "id": "syn",
                "kind": "full-text",
                "citation": "Synthetic benchmark record; not a real study.",
            }
        ],
        "design": {
            "phase": phase,
            "allocation": "randomized" if randomized else "single-arm",
            "masking": rng.choice(MASKING),
            "arms": arms,
            "endpoints": [
                {
                    "role": "primary",
                    "endpoint": chosen[0][0],
                    "label": chosen[0][1],
                    "cite": _quote("primary endpoint"),
                }
            ],
            "enrollment": enrollment,
            "cite": _quote(f"phase {phase}"),
        },
        "population": {
            "disease": "B-cell precursor acute lymphoblastic leukemia",
            "age": {
                "min": age_min,
                "max": age_min + rng.choice([30, 45, 52]),
                "cite": _quote("age"),
            },
            "philadelphia": {"status": rng.choice(["positive", "negative", "any"])},
            "cite": _quote("population"),
        },
        "dosing": [
            {
                "arm": arm,
                "drug": drugs[0] if arm != "b" else drugs[1],
                "dose": {
                    "value": rng.choice([5, 9, 15, 28, 30, 100]),
                    "unit": "mg",
                    "basis": rng.choice(["flat", "per-m2"]),
                    "per": "day",
                },
                "route": rng.choice(["iv", "oral"]),
                "cite": _quote("dose"),
            }
            for arm in arm_ids
        ],
        "outcomes": outcomes,
        "safety": safety,
        "notes": [{"about": "benchmark", "text": f"Synthetic benchmark study number {index}."}],
    }
    return data


def write(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """Write ``count`` synthetic studies into ``folder`` (spread over subfolders of 500)."""
    files = []
    for index in range(count):
        sub = folder / f"batch-{index // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"syn-{index:05d}.yaml"
        text = yaml.dump(
            study(index, seed),
            Dumper=yaml.CSafeDumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
            default_flow_style=None,
        )
        path.write_text(HEADER + text, encoding="utf-8")
        files.append(path)
    return files
