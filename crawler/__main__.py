"""`python -m crawler` runs the govnews command."""

from crawler.cli import cli

cli()
