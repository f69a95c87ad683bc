"""A thread per record: the contributor and the staff who may see the record talk about it."""
