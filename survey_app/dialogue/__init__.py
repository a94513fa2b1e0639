"""Safety dialogues and safety walks: what facilitators hear and see, and what is done about it."""
