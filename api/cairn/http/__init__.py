"""HTTP routes: decode, authorise, call the domain and the store, encode. Nothing else."""
