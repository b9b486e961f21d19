"""Format readers and writers around the neutral model."""
