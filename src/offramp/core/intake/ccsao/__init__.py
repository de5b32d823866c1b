"""Cook County State's Attorney (CCSAO) open-data exports.

`exports` declares the five exports' headers; `dates`, `statutes` and `vocab` map their values; each
export with a parser has its own module (today `diversion`).
"""

from offramp.core.intake.ccsao.diversion import parse_diversion

__all__ = ["parse_diversion"]
