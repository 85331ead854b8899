"""The static sites: scoped records rendered to Markdown and built with MkDocs."""
