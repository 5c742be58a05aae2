"""A deliberately broken test plugin: importing it raises."""

raise RuntimeError("polygrad_broken is broken on purpose")
