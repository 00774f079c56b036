// Package console is the admin console of the mock Okta org (`mockokta
// serve`): server-rendered pages, embedded html/template, no JavaScript,
// that mirror the Okta admin screens the Xakia help article walks through,
// with Okta's words — the admin sign-in page, Directory → People,
// Applications → Browse App Catalog, an app's Provisioning (Integration and
// To App), Assignments, Import and Sign On tabs, the provisioning Tasks with
// Retry and the System Log of provisioning events.
//
// The console is an [http.Handler] over an [Org], the subset of the
// persistent org's methods (mockokta/org) that it needs; [Mount] plugs it
// into `mockokta serve` at "/".
//
// Security: the session cookie is HttpOnly and SameSite=Lax (Secure when
// the request came over TLS), every form carries a CSRF token bound to the
// session, every form body is limited to [MaxFormBytes], the API token is
// never shown back after Save, and every POST answers with a redirect
// (POST-redirect-GET). Provisioning is asynchronous: a POST returns at once
// and the pages show the state reached so far.
package console
