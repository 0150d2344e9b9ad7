"""The graph model: nodes, edges, undoable edits, analysis, layout and Keras building."""
