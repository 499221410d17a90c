"""One module per `aitrade` command group; each exposes `register(subparsers)`."""
