"""polygrad's built-in backends; each registers through the ``polygrad.backends`` entry points."""
