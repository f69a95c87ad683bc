"""A validator judges that a photo shows no place, so it may go public with a generalised record."""
