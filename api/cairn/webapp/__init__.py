"""The field app (PWA) served at /, and the runtime settings it reads."""
