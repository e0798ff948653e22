from stretchd.cli import cli

cli()
