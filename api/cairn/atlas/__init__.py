"""The atlas, a contributor's impact and an organisation's dashboard, from the public projection."""
