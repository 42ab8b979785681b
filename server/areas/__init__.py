"""Areas (kern, wijk, buurt): stored shapes and the in-memory lookup."""
