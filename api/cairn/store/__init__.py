"""SQL, by hand, one module per aggregate. Functions take a connection and return structs."""
