"""View models: Qt objects that hold the window's state and commands, and no widgets."""
