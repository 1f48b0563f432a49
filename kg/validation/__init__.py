"""Validation: SHACL shapes over kg's output, and how a build checks what it writes.

kg/validation/shacl.py validates a graph or dataset (``validate_graph``,
``validate_dataset``, ``load_shapes``); reach.py tells what each shape reads,
settle.py the books a build keeps to validate shared nodes whole. Nothing is
imported here, so that a build without validation never loads rdflib or pySHACL.
"""
