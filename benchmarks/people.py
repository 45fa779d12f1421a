"""Made-up prospects for the benchmarks: names, companies, zones (odd letters on purpose)."""

from __future__ import annotations

FIRST_NAMES = (
    "Ada", "Bjørn", "Chiara", "Dana", "Emeka", "Farah", "Gustavo", "Hana", "Ingrid", "José",
    "Kenji", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamar",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Becker", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Hoffmann", "Ito",
    "Jansen", "Kowalski", "Lindqvist", "Müller", "Nakamura", "O'Brien", "Petrov", "Quinn",
    "Rossi", "Schmidt", "Tanaka", "Usman", "Vargas", "Whitfield", "Yilmaz", "Zhou",
)  # fmt: skip
COMPANIES = (
    "Acme", "Borealis", "Cobalt", "Dunmore", "Elbe", "Fjord", "Granite", "Helix", "Ion",
    "Juniper", "Kestrel", "Lumen", "Meridian", "Nordlicht", "Orbit", "Pioneer",
)  # fmt: skip
SUFFIXES = ("GmbH", "Ltd", "Inc.", "AG", "KK", "Labs")
