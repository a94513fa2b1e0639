"""The public återkoppling page (no login): what the police and the municipality promised, what they did, what
residents said; only what staff published, frozen as published (STANDARDS §5)."""
