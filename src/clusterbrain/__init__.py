"""clusterbrain: an open industry brain for textile, leather, footwear and silk clusters."""

__version__ = "0.1.0"
