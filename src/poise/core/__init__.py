"""Small domain-wide building blocks: ids, clocks, errors."""
