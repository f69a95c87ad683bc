"""What every feature stands on: the database, errors and problem documents, decoding, query
strings, rate-limit buckets, photo storage, HTTP plumbing.
"""
