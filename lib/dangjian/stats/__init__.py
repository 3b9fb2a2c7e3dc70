"""Text statistics: tokens, frequencies, keyness, themes and comparisons of approaches."""
