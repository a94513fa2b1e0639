"""Administration: staff users, areas and focus areas."""
