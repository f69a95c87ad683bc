"""Reference data: taxa, communes, heritage items, the territory, bundled files, importers and the
offline bundle.
"""
