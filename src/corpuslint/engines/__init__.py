"""Other places to run the per-document phase than this machine's process pool."""
