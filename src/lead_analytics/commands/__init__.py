"""The subcommands of the ``lead-analytics`` CLI, one module each (``main(argv)``)."""
