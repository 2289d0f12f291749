"""SHACL shapes that the built graph must satisfy."""
