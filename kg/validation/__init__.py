"""Validation: SHACL shapes over kg's output, and how a build checks what it writes.

kg/validation/shacl.py validates a graph or dataset (``validate_graph``,
``validate_dataset``, ``load_shapes``); reach.py tells what each shape reads
(patterns.py follows the patterns of SPARQL constraints); books.py keeps the books
a build needs to validate shared nodes whole, and settle.py validates what a build
writes, in batches and in an end pass. Nothing is imported here, so that a build
without validation never loads rdflib or pySHACL.
"""
