"""Routers of the core domain (other contexts keep their routers in their own ``api.py``)."""
