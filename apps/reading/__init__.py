"""What readers ask of the published record: search, compare, a row's state on a day, timelines.

The API, the portal and the editors' desk call this layer and format what it
answers; none of them computes these reads itself. It sits above the domain apps
(jurisdictions, instruments, obligations, amendments) and composes their rules
(apps.amendments.status derives a status); no domain app imports it.
"""
