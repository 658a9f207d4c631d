"""Parses the fiches action of social centres and builds a French-analysed Whoosh index."""
