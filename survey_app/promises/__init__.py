"""Medborgarlöften: promises chosen from the problem picture, their indicators, the tertial follow-up and the
tertialrapport to the BRÅ council (STANDARDS §5)."""
