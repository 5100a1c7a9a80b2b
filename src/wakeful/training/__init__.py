"""`wakeful train`: fits the shipped analysis models from the labelled public data (needs scikit-learn)."""
