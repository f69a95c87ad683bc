"""Near-duplicates: records moderators may be seeing twice, and marking one under the other."""
