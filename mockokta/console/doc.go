// Package console is the admin console of the mock Okta org (`mockokta
// serve`): server-rendered pages, embedded html/template, no JavaScript,
// that mirror the Okta admin screens the Xakia help article walks through,
// with Okta's words — the admin sign-in page, Directory → People,
// Applications → Browse App Catalog, an app's Provisioning (Integration and
// To App), Assignments, Import and Sign On tabs, and the provisioning tasks
// with Retry.
//
// The console is an [http.Handler] over an [Org], the small interface it
// needs of the org model. [NewMemoryOrg] is an in-memory Org built on the
// mockokta provisioning client, used by the tests; `mockokta serve` passes
// its persistent org instead.
//
// Security: the session cookie is HttpOnly and SameSite=Lax (Secure when
// the request came over TLS), every form carries a CSRF token bound to the
// session, every form body is limited to [MaxFormBytes], the API token is
// never shown back after Save, and every POST answers with a redirect
// (POST-redirect-GET). Provisioning is asynchronous: a POST returns at once
// and the pages show the state reached so far.
package console
