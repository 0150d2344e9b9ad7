"""NetLab's desktop GUI (PySide6). It presents and edits what `netlab` holds."""
