"""Running the rules: answers in, a derivation out (durable-rules, or the plain-Python oracle)."""
