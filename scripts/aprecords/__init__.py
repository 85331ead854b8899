"""aprecords: alternative-provision commissioning agreements as validated YAML records."""

__version__ = "0.1.0"
