"""The gemensam problembild (lägesbild) per area and for the municipality: survey, indicator, dialogue and walk
evidence side by side, in the law's three parts (2023:196, 4 §), with the analyst's analysis saved as dated versions."""
