"""Query functions, one module per table family. Keyword-only, each takes an AsyncSession."""
