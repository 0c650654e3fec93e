"""EC2 GPU runners that always go away: one-job self-hosted GitHub Actions runners.

``mlreport runner launch`` gets a just-in-time runner configuration from GitHub, starts an
EC2 instance whose boot script runs that runner once and powers off, and waits until the
runner is online; ``stop``, ``list`` and ``cleanup`` find instances by their ``mlreport:*``
tags. All AWS code is in this package, and boto3 (the ``aws`` extra) is imported only here.

- :mod:`.aws`: boto3 clients and AWS errors as one line;
- :mod:`.ec2`: candidates, ``run_instances``, tags, finding and terminating instances;
- :mod:`.registry`: the runner API of GitHub (PyGithub);
- :mod:`.bootscript`: the instance's user data, rendered from ``templates/runner``;
- :mod:`.launch`, :mod:`.manage`: the commands; :mod:`.signals`: cancellation.
"""
