// Package target starts a reference-compatible SCIM server in a Docker container
// and hands back everything the conformance suite needs to target it: two
// locations (SCIM base URL and API key each) and the admin API.
//
// It is a library, usable from tests and from the suite's own runner alike: it
// takes a context, never a *testing.T, and returns a [Target] whose
// [Target.Terminate] removes the container (and the image when this package built
// it). On any error after the container was created, the container is removed
// before the error is returned.
//
// # The machine rules it follows
//
//   - A Docker daemon must answer; otherwise [Start] returns an error wrapping
//     [ErrNoDocker] with the reason, so callers can report "not run" rather
//     than "passed" or "failed".
//   - Images are never pulled. A named image ([Options.Image], e.g. from
//     SCIM_IMAGE) must already be present in the local daemon; otherwise the
//     error wraps [ErrImageNotPresent] and says how to load it
//     ("docker load -i FILE"). Alternatively [Options.Build] builds the
//     reference image from its Dockerfile (FROM scratch, no registry needed).
//   - The container uses the host network only (no bridge network is ever
//     created) and listens on a free 127.0.0.1 port chosen here. Readiness is
//     GET /healthz answering 200.
//   - TESTCONTAINERS_RYUK_DISABLED must be "true": the Ryuk reaper image cannot be
//     pulled without a registry and would run on a bridge network. This package
//     cleans up after itself instead ([ErrRyukEnabled] otherwise).
//
// # What "reference-compatible" means
//
// An image under test must behave like the xakia-reference image:
//
//   - its entrypoint starts the server (the reference's is ["/xakia-reference", "serve"]);
//   - it listens on the address in XAKIA_ADDR (host:port, here 127.0.0.1:PORT);
//   - it accepts the admin token in XAKIA_ADMIN_TOKEN and serves the admin API
//     POST /admin/api/locations {name, queryAttributes} →
//     {id, name, scimBaseUri, apiKey, queryAttributes} with
//     "Authorization: Bearer TOKEN";
//   - it builds its SCIM base URIs from XAKIA_PUBLIC_URL (set here to
//     http://127.0.0.1:PORT) and answers GET /healthz with 200 when ready;
//   - optionally it honours XAKIA_DB ([Options.DB]).
package target
