"""From a derivation to what people read: the explained report, its formats and the draft policy."""
