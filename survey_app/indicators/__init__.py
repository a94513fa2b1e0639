"""Indicator series from outside the surveys (Brå's crime statistics, police and municipal counts): import, entry,
history. The problem picture and the medborgarlöften read them."""
