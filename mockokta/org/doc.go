// Package org is a persistent mock Okta org: its people (the Okta
// directory), its app instances (Xakia SCIM apps and a Xakia OIDC app),
// their provisioning settings (the connection to a SCIM base URL and the
// "To App" toggles), assignments of people to apps, and Okta's asynchronous
// provisioning (a task queue, retries under Okta's 429 policy, a
// provisioning log in Okta's wording).
//
// The org keeps one model with the mockokta package: people are
// [mockokta.User] values (profile and status), app settings become a
// [mockokta.App] when a task runs, and every provisioning task is one of
// the library's flows ([mockokta.Okta.Assign], UpdateProfile, Unassign,
// DeactivateOktaUser, TestConnection, Import) run against a mock Okta built
// for that task from the stored state; the SCIM id the flow learnt is
// stored back as the assignment's link. Nothing about what Okta sends is
// written here.
//
// Storage is SQLite (modernc.org/sqlite, WAL, synchronous=FULL). Secrets
// are stored hashed (the admin password, the API token, people's
// passwords) or only because they are needed: the SCIM API token of an
// app's connection, which is never returned by any method of this package.
//
// The HTTP faces of the org (the Management API in mockokta/serve, the admin
// console, the OIDC provider) are built on the methods of [Org]; they never
// touch the database themselves. The OIDC provider uses [Org.Authenticate],
// [Org.IsAssigned], [Org.OIDCClient] and [Org.Blob]/[Org.PutBlob] for its
// signing key.
//
// Provisioning runs in one worker goroutine per org: tasks run one at a
// time in the order they were queued (a task waiting after a 429 holds back
// later tasks of the same person and app only). The queue is stored, so a
// restart resumes it; [Org.Close] lets the running task finish (or puts it
// back in the queue when its context ends first).
package org
