"""Measurements of the analysis stage on held-out splits of the labelled data, beside baselines."""
