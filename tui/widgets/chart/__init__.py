"""Charts shared by the Train, Compare and sweep views: one look, one set of keys."""
