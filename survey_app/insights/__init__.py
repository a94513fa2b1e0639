"""The analyst's workspace: a wave's results from the database, through the same analysis `trygg analyse` runs."""
