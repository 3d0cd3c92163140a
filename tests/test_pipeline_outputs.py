"""analyse_batch gives exactly the recorded outputs for the written evaluation set.

A guard for speed work on the analysis path: every theme score, flag, term and sentence and
every claim field of tests/eval/written.jsonl (each article as it is, and its title as a
headline) must stay what tests/eval/written_outputs.json recorded. A change that
means to change outputs regenerates the file and says why in its commit:

    .venv/bin/python tests/test_pipeline_outputs.py --write
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import pandas as pd  # noqa: E402

WRITTEN = PROJECT / "tests" / "eval" / "written.jsonl"
EXPECTED = PROJECT / "tests" / "eval" / "written_outputs.json"


def _batch() -> pd.DataFrame:
    rows = []
    for line in WRITTEN.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        published = date.fromisoformat(record["published"][:10]) if record.get("published") else None
        common = {"title": record.get("title") or "", "published_date": published, "published_at": None}
        rows.append({"id": record["id"], "kind": "article", "text": record["text"], **common})
        rows.append({"id": record["id"] + "-headline", "kind": "headline", "text": "", **common})
    return pd.DataFrame(rows)


def _outputs() -> dict[str, list]:
    from analysis import pipeline
    from analysis.themes import load_taxonomy

    bundle = pipeline.load_model(taxonomy=load_taxonomy())
    _, _, themes, claims = pipeline.analyse_batch(bundle, _batch())
    # through JSON both ways, so the comparison sees what the file holds (NaN and <NA> as null)
    return json.loads(json.dumps({
        "themes": themes.astype(object).where(themes.notna(), None).values.tolist(),
        "claims": claims.astype(object).where(claims.notna(), None).values.tolist(),
    }, default=str))


def test_analyse_batch_gives_the_recorded_outputs():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    actual = _outputs()
    assert len(actual["themes"]) == len(expected["themes"])
    for got, want in zip(actual["themes"], expected["themes"]):
        assert got == want
    assert actual["claims"] == expected["claims"]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    outputs = _outputs()  # one row a line, so a diff shows the rows that changed
    parts = [f"{json.dumps(key)}: [\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]"
             for key, rows in outputs.items()]
    EXPECTED.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
