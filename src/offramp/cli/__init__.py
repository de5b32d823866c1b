"""The `offramp` command: the product's own commands, and Django's management commands beside them."""
