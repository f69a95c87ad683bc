"""Second opinions: taxa a programme wants seen by two validators before they are published."""
