"""Reports (报表), the dashboard's figures, and the files they are written to.

``model`` is the plain-data shape every report has; report builders fill it
from the database (within the actor's rights and scope), renderers write it
to xlsx or PDF. Nothing here imports Qt.
"""
