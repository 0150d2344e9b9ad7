"""The Training tab: settings, data preview, live plots, run comparison."""
