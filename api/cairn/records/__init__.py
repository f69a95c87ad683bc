"""Records: the vocabulary every record shares, the disclosure policy and the public projection."""
