"""Build the Shropshire Social Value Charter website and its public register."""

__version__ = "0.1.0"
