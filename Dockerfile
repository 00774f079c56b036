# xakia-reference: the reference Xakia SCIM 2.0 server as a FROM scratch image.
#
# No registry is needed: the binary is built on the host, statically, and copied in.
#   mkdir -p build/data
#   CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o build/xakia-reference ./cmd/xakia-reference
#   docker build -t xakia-reference:local -f Dockerfile .
# (`make image` does exactly this.) .dockerignore keeps the context to build/.
#
# Run it on the host network and tell it where to listen:
#   docker run --rm --network host -e XAKIA_ADDR=127.0.0.1:8080 \
#     -e XAKIA_ADMIN_TOKEN=... xakia-reference:local
# Behind a bridge network with -p 8080:8080, set XAKIA_ADDR=0.0.0.0:8080 instead, and
# XAKIA_PUBLIC_URL to the URL clients use. For PostgreSQL set XAKIA_DB=postgres://...
FROM scratch

LABEL org.opencontainers.image.title="xakia-reference" \
      org.opencontainers.image.description="Reference Xakia SCIM 2.0 server (locations, API keys, invite rules, admin API; SQLite or PostgreSQL)" \
      org.opencontainers.image.source="https://github.com/xakia-okta/scimtest" \
      org.opencontainers.image.vendor="xakia-okta/scimtest"

# A non-root user (numeric: scratch has no /etc/passwd) owns the data directory,
# where the default SQLite database lives, and a private /tmp.
COPY --chown=65532:65532 build/data /data
COPY --chown=65532:65532 build/data /tmp
COPY build/xakia-reference /xakia-reference

ENV XAKIA_ADDR=127.0.0.1:8080 \
    XAKIA_DB=/data/xakia-reference.db \
    TMPDIR=/tmp

USER 65532:65532
WORKDIR /data
EXPOSE 8080

ENTRYPOINT ["/xakia-reference", "serve"]
