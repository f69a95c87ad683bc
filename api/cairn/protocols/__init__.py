"""Programme kinds: observation forms that staff build and publish, versioned."""
