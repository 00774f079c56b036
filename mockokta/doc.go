// Package mockokta is an offline stand-in for Okta's SCIM 2.0 provisioning
// client. It keeps a small Okta directory (users with 00u… ids and profiles),
// one app instance pointing at a SCIM base URL, and replays what Okta sends
// for Test API Credentials, assignment (create or link), profile update,
// unassignment and deactivation, reactivation, password sync and import, in
// both app styles: OIN (catalogue template, PATCH for active and password)
// and AIW (App Integration Wizard, PUT for every update).
//
// Every request mirrors what Okta sends, as docs/okta-wire.md describes it
// with its public sources: the same headers, the same query strings, the
// same JSON bodies with the same key order. Failures are worded the way Okta
// shows them to an administrator. The package talks HTTP only; it never
// imports the reference server's internals.
package mockokta
