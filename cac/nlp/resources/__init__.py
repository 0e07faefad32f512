"""Data files (lexicons, trigger lists, header variants) read by cac.nlp."""
