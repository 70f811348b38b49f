"""Write `holtwinters_recorded.json`: the reference fit's answers over the corpus of
`test_holtwinters_exact.py`, as float.hex so that every bit is kept. Takes minutes.

    PYTHONPATH=$PWD .venv/bin/python tests/translators/influxql/record_holtwinters.py
"""

from __future__ import annotations

import json

from tests.translators.influxql import holtwinters_reference as reference
from tests.translators.influxql.test_holtwinters_exact import RECORDED, corpus, fit


def main() -> None:
    answers = {}
    for case, values, horizon, season in corpus():
        answers[case] = fit(reference, "holt_winters_with_fit", values, horizon, season)
        print(case, len(answers[case]), flush=True)
    RECORDED.write_text(json.dumps(answers, indent=0) + "\n")


if __name__ == "__main__":
    main()
