"""The SQL baseline of bench/indicators.py: every indicator at every level, by hand.

One statement on SQLite: the newest answer versions of submitted cards, pivoted to
one row per card (MAX(CASE …)), summed per gmina, turned into per-gmina numerators
and denominators that are NULL where indicators.md says n/a, then a GROUP BY per
level (UNION ALL). It follows the same rules as the Python path, skip logic of
ngo.II.3.7 included, so the bench also checks that both agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from domain.indicators import IndicatorSet, Kind

NGO_CODES = [
    "1.1", "1.2", "1.3a", "1.3b", "1.3c", "1.3d", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1",
    "3.2a", "3.2b", "3.3a", "3.4", "3.5a", "3.5b", "3.6a", "3.7", "3.8", "4.1a", "4.1b", "4.2",
    "4.3", "5.1", "5.2", "6.1", "6.2", "7.1",
]  # fmt: skip
IZUS_CODES = [
    "0.1", "0.2", "0.3", "0.4", "0.5", "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4",
    "3.1", "3.2", "3.3", "3.4", "3.5a", "3.5b", "3.6", "3.8", "4.1", "4.2", "5.1", "6.1",
]  # fmt: skip

# Per gmina, over its NGO cards (one row each, columns q_<code>); people = 3.5a + 3.5b.
NGO_SUMS = {
    "cards": "COUNT(*)",
    "n1_1": "SUM(q_1_1 > 0)", "n1_2": "SUM(q_1_2 > 0)",
    "mon": "SUM(q_1_3a > 0 OR q_1_3b > 0 OR q_1_3c > 0 OR q_1_3d > 0)",
    "n1_5": "SUM(q_1_4 > 0)", "n2_1": "SUM(q_2_1 > 0)", "n2_2": "SUM(q_2_2 > 0)",
    "diag": "SUM(q_2_1 > 0 OR q_2_2 > 0 OR q_2_3 > 0 OR q_2_4 > 0)",
    "n3_1": "SUM(q_3_1 > 0)", "n3_2": "SUM(q_3_7 = 'true' AND q_3_1 > 0)",
    "n3_3": "SUM(q_3_2a + q_3_2b > 0)", "contracts": "SUM(q_3_4 > 0)",
    "people": "SUM(q_3_5a + q_3_5b)", "n3_7": "SUM(q_3_8 = 'true')", "inst": "SUM(q_3_3a > 0)",
    "providers": "SUM(q_3_3a > 0 OR q_3_6a > 0 OR q_3_5a + q_3_5b > 0)",
    "n3_11": "SUM(q_3_6a > 0)", "n4_1": "SUM(q_4_1a + q_4_1b > 0)", "n4_2": "SUM(q_4_2)",
    "n4_3": "SUM(q_4_3 > 0)", "n5_1": "SUM(q_5_1 > 0)", "n5_2": "SUM(q_5_2)",
    "n6_1": "SUM(q_6_1 = 'true')", "n6_2": "SUM(q_6_2 = 'true')",
    "ez_num": "SUM(CASE WHEN q_7_1 IS NOT NULL THEN q_3_5a + q_3_5b END)",
    "ez_den": "SUM(q_7_1)",
    "ek_num": "SUM(q_7_2)", "ek_den": "SUM(CASE WHEN q_7_2 IS NOT NULL THEN q_3_5a + q_3_5b END)",
}  # fmt: skip

# indicator → (numerator, denominator) per gmina; NULL (no card) makes it n/a.
INDICATORS = {
    "N1.1": ("n1_1", None), "N1.2": ("n1_2", None), "N1.3": ("mon", "z0_1"),
    "N1.4": ("mon", None), "N1.5": ("n1_5", None), "N2.1": ("n2_1", None),
    "N2.2": ("n2_2", None), "N2.3": ("diag", "z0_1"), "N3.1": ("n3_1", None),
    "N3.2": ("n3_2", None), "N3.3": ("n3_3", None), "N3.4": ("contracts", "z0_1"),
    "N3.5": ("contracts", "z0_2"), "N3.6": ("people", "z0_3"), "N3.7": ("n3_7", None),
    "N3.8": ("inst", None), "N3.9": ("inst", "providers"), "N3.10": ("inst", "z0_5"),
    "N3.11": ("n3_11", None), "N4.1": ("n4_1", None), "N4.2": ("n4_2", None),
    "N4.3": ("n4_3", None), "N5.1": ("n5_1", None), "N5.2": ("n5_2", None),
    "N6.1": ("n6_1", None), "N6.2": ("n6_2", None), "N6.3": ("n6_2", "z0_1"),
    "Z1.1": ("z1_1", None), "Z1.2": ("z1_2", None), "Z1.3": ("z1_3", None),
    "Z1.4": ("z1_4", None), "Z2.1": ("z2_1", None), "Z2.2": ("z2_2", None),
    "Z2.3": ("z2_3", None), "Z2.4": ("z2_4", None), "Z3.1": ("z3_8", None),
    "Z3.2": ("z3_1", "z3_8"), "Z3.3": ("z3_2", None), "Z3.4": ("z3_3", None),
    "Z3.5": ("z3_4", "z3_1"), "Z3.6": ("z3_6", "z0_4"), "Z3.7": ("z3_5a", None),
    "Z3.8": ("z3_5a", "z0_5"), "Z3.9": ("z3_5b", None), "Z4.1": ("z4_1", None),
    "Z4.2": ("z4_2", None), "Z5.1": ("z5_1", None), "Z6.1": ("z6_1", None),
    "Z6.2": ("z6_1", "z0_1"), "EZ": ("ez_num", "ez_den"), "EK": ("ek_num", "ek_den"),
}  # fmt: skip


def _column(code: str) -> str:
    return "q_" + code.replace(".", "_")


def _pivot(card: str, codes: list[str], prefix: str) -> str:
    columns = ",\n    ".join(
        f"MAX(CASE q WHEN '{card}.II.{c}' THEN v END) AS {prefix}{c.replace('.', '_')}"
        for c in codes
    )
    return f"SELECT teryt,\n    {columns}\n  FROM latest WHERE card = '{card}' GROUP BY aid, teryt"


def _per_gmina() -> str:
    parts = []
    for indicator, (num, den) in INDICATORS.items():
        key = indicator.replace(".", "_")
        if den is None:
            parts += [f"{num} AS n_{key}", f"NULL AS d_{key}"]
        else:
            parts.append(f"CASE WHEN {den} > 0 THEN {num} END AS n_{key}")
            parts.append(f"CASE WHEN {num} IS NOT NULL AND {den} > 0 THEN {den} END AS d_{key}")
    return ",\n    ".join(parts)


def statement(definitions: IndicatorSet) -> str:
    """The whole SQL: one row per territory and level, one column per indicator."""
    sums = ",\n    ".join(f"{expr} AS {name}" for name, expr in NGO_SUMS.items())
    izus = ",\n    ".join(f"SUM(z_{c.replace('.', '_')}) AS z{c.replace('.', '_')}"
                         for c in IZUS_CODES)  # fmt: skip
    values = []
    for indicator in definitions.indicators:
        key = indicator.id.replace(".", "_")
        scale = "100.0 * " if indicator.kind is Kind.PERCENTAGE else "1.0 * "
        expr = f"SUM(n_{key})" if indicator.kind.additive else f"{scale}SUM(n_{key}) / SUM(d_{key})"
        values.append(f'{expr} AS "{indicator.id}"')
    select = ",\n  ".join(values)
    return f"""
WITH latest AS (
  SELECT o.teryt AS teryt, a.card AS card, ans.assignment_id AS aid, ans.question_id AS q,
         CASE WHEN ans.value = 'true' THEN 'true' WHEN ans.value = 'false' THEN 'false'
              ELSE json_extract(ans.value, '$') END AS v
  FROM answer ans
  JOIN assignment a ON a.id = ans.assignment_id
  JOIN organisation o ON o.id = a.organisation_id
  WHERE a.session_id = :session AND a.submitted_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM answer n WHERE n.assignment_id = ans.assignment_id
                    AND n.question_id = ans.question_id AND n.version > ans.version)
),
ngo_cards AS ({_pivot("ngo", [*NGO_CODES, "7.2"], "q_")}),
izus_cards AS ({_pivot("izus", IZUS_CODES, "z_")}),
ngo AS (SELECT teryt,\n    {sums}\n  FROM ngo_cards GROUP BY teryt),
izus AS (SELECT teryt,\n    {izus}\n  FROM izus_cards GROUP BY teryt),
gminy AS (SELECT DISTINCT o.teryt FROM assignment a JOIN organisation o
          ON o.id = a.organisation_id WHERE a.session_id = :session),
per_gmina AS MATERIALIZED (
  SELECT g.teryt,\n    {_per_gmina()}
  FROM gminy g LEFT JOIN ngo USING (teryt) LEFT JOIN izus USING (teryt)
)
SELECT 'gmina', teryt,\n  {select}\nFROM per_gmina GROUP BY teryt
UNION ALL SELECT 'powiat', substr(teryt, 1, 4),\n  {select}\nFROM per_gmina GROUP BY 2
UNION ALL SELECT 'wojewodztwo', substr(teryt, 1, 2),\n  {select}\nFROM per_gmina GROUP BY 2
UNION ALL SELECT 'kraj', 'PL',\n  {select}\nFROM per_gmina
"""


def sql_values(
    engine: Engine, session_id: int, definitions: IndicatorSet
) -> dict[tuple[str, str, str], Any]:
    """(level, teryt, indicator) → value (None: n/a), as computed by the database."""
    ids = [i.id for i in definitions.indicators]
    with engine.connect() as conn:
        rows = conn.execute(text(statement(definitions)), {"session": session_id}).all()
    return {
        (row[0], row[1], indicator): row[2 + n] for row in rows for n, indicator in enumerate(ids)
    }
