"""Reference data: taxa, communes, heritage items, the territory, bundled files and importers.

Others may use: territory and deps (the communes' index as a route dependency), lookup, files,
taxa and places (parsers), the taxa and places stores' reads, importers (the CLI and the demo).
Never its routes.
"""
