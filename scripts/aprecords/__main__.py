"""Allow ``python -m aprecords``."""

from aprecords.cli import main

raise SystemExit(main())
