"""schedkit: combinatorial scheduling toolkit."""
