"""Import profiles: file and header names of other shapes (``profile``), and the vendors'
own files with their folds into the export contract (``vendors``)."""
