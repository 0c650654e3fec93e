"""Where reports are published: GitHub, GitLab or local files, behind one Protocol.

- :mod:`.base`: the Protocol, the data passed across it, and the errors every API client
  explains alike (transport failures, rate limits);
- :mod:`.context`: flags, the CI environment and the git remote -> where to publish, and
  where runners register;
- :mod:`.workflow`: GitHub Actions' workflow commands, summary and outputs (and whether
  mlreport runs in Actions at all);
- :mod:`.connect`: the platform a context names; :mod:`.github` (with :mod:`.github_api`),
  :mod:`.gitlab` and :mod:`.local` implement the Protocol;
- :mod:`.marker`: the sticky comment's hidden marker; :mod:`.retry`: the one HTTP retry
  policy both API clients use.
"""
