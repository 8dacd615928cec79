"""The checks: one module per rule family. Each module lists its rules in `RULES`."""
