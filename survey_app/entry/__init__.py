"""Staff data entry of paper questionnaires and assisted interviews."""
