"""Pin designs (issue 28): pin images rendered from an article in the project's style.

``designs.render`` is the pure renderer (Pillow only, nothing of Django); the app around it keeps
each project's style (``DesignStyle``), finds an article's images (``selectors``) and turns a
chosen design into a draft pin through publishing's content service (``services``). Nothing
imports this app but the planner, the interface on top.
"""
