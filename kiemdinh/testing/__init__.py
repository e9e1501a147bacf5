"""What the tests share: the personas' world (world), fixtures (fixtures, a pytest plugin), storage and browser helpers."""
