"""SQLite storage: schema migrations and the repositories behind the domain's ports."""
