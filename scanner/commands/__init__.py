"""One module per ``scan`` subcommand; see ``scanner.cli.COMMANDS``."""
