"""Pure domain logic: no I/O, no framework, easy to test with hypothesis."""
