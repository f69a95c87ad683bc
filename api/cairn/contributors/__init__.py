"""Contributors' identity: anonymous devices, pseudonyms, default geoprivacy, optional accounts.

Others may use: devices (the signed device as a route dependency), model, and the store's
`same_contributor` SQL fragment and reads; erasure (mydata) calls the store's `erase` in its
own transaction. A contributor's own data (list, copy, erasure) is the mydata feature, above
observations and photos. Never its routes.
"""
