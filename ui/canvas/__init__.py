"""The node-graph canvas: a QGraphicsScene that mirrors a netlab Graph."""
