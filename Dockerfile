# mlreport: the image of the GitHub Action (action.yml) and of GitLab CI jobs
# (image: ghcr.io/<owner>/ml-report:<version>). Built from this repository; kept under
# 600 MB (docs/container.md): no pyarrow (`pip install pyarrow` to read Parquet in a job).

FROM python:3.12-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Dependencies first, pinned with hashes (requirements/image.txt), so this layer is reused
# until they change; everything goes to /install, copied alone into the final image.
COPY requirements/image.txt requirements/image.txt
# Packages' own test suites (~60 MB) are not needed to run them.
# botocore ships a model of every AWS service (~28 MB): `mlreport runner` needs EC2 and SSM, and
# credentials may need STS (OIDC web identity) and SSO
RUN pip install --require-hashes --prefix=/install -r requirements/image.txt \
    && find /install -depth -type d -name tests -exec rm -rf '{}' + \
    && find /install/lib/python3*/site-packages/botocore/data -mindepth 1 -maxdepth 1 -type d \
        ! -name ec2 ! -name ssm ! -name sts ! -name sso ! -name sso-oidc -exec rm -rf '{}' +
COPY pyproject.toml README.md LICENSE ./
COPY src src
COPY templates templates
RUN pip install --no-deps --prefix=/install .

FROM python:3.12-slim
LABEL org.opencontainers.image.title="mlreport" \
      org.opencontainers.image.description="ML reports, gates and PR comments in CI" \
      org.opencontainers.image.licenses="MIT"
# git: --baseline reads metrics at a git ref. Debian's stable git, not a pinned version:
# its security updates come through the same release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /install /usr/local
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/usr/local/share/mlreport/matplotlib
# matplotlib's font cache, built once here rather than on every job's first chart.
RUN python -c "import matplotlib.font_manager" \
    && chmod -R a+rwX /usr/local/share/mlreport \
    && mlreport --version
CMD ["mlreport", "--help"]
