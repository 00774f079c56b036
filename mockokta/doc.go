// Package mockokta is an offline stand-in for Okta's SCIM 2.0 provisioning
// client. It keeps a small Okta directory (users with 00u… ids and profiles),
// one app instance pointing at a SCIM base URL, and replays what Okta sends
// for Test API Credentials, assignment (create or link), profile update,
// unassignment and deactivation, re-assignment, password sync and import, in
// both app styles: OIN (catalogue template, PATCH for active and password)
// and AIW (App Integration Wizard, GET then PUT for every change).
//
// docs/okta-wire.md in the repository describes every request shape and
// flow, the public source it follows (or says that it is inferred), what the
// mock does with each class of response, and the app settings (App.Groups,
// App.ProfileUpdate). The golden transcripts in testdata/golden pin the
// exact requests; shapes without a public source carry an "inferred" note.
//
// Request bodies are built in one place and exported for callers that send
// Okta-shaped requests themselves (the conformance steps): [RequestHeaders],
// [LookupQuery], [PatchActiveBody], [ActivePutBody] and [ProfilePutBody].
// Failures are worded the way Okta shows them to an administrator, and each
// carries an [Authority]. The package talks HTTP only; it never imports the
// reference server's internals.
package mockokta
