"""Where reports are published: GitHub, GitLab or local files, behind one Protocol.

``base`` defines the Protocol and the data passed across it; ``context`` reads the CI
environment; ``github``, ``gitlab`` and ``local`` implement it; ``retry`` is the one HTTP
retry policy both API clients use.
"""
