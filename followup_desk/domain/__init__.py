"""Pure scheduling and follow-up rules: dataclasses, enums and zoneinfo, nothing else."""
