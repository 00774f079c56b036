package reference

// Fault is a named switch that breaks exactly one rule of the reference, so the
// conformance suite can prove that it notices the breakage.
type Fault struct {
	// Name is the value given to --fault (and Options.Faults).
	Name string
	// Description says, in one line, which rule the fault breaks.
	Description string
}

// Faults returns every fault the reference knows, in a stable order.
func Faults() []Fault {
	return []Fault{
		{"full-query-attributes", "limited locations return every attribute on GET /Users and GET /Users/{id}"},
		{"case-sensitive-username", "userName uniqueness and the userName eq filter are case-sensitive"},
		{"forget-deactivated", "deactivated users answer 404 and are not found by filters"},
		{"accept-any-key", "any bearer token, or none, is accepted on every location"},
		{"create-returns-200", "POST /Users answers 200 instead of 201"},
		{"no-location-header", "POST /Users answers without a Location header"},
		{"ignore-nopath-patch", "PATCH operations without a path are ignored (Okta's deactivation does nothing)"},
		{"put-clears-absent", "PUT clears attributes that are absent from the body"},
		{"auto-invite", "users created through SCIM are invited at once and can sign in without an admin invite"},
		{"reinvite-existing", "pre-existing users written by SCIM are reset to not-invited and must be invited"},
		{"string-paging", "totalResults, startIndex and itemsPerPage are sent as JSON strings"},
		{"unstable-paging", "list order changes between requests, so import pages overlap and skip users"},
		{"total-is-page-size", "totalResults equals the number of Resources in the page"},
		{"conflict-as-400", "a duplicate userName answers 400 instead of 409 uniqueness"},
		{"no-error-schema", "error bodies omit the SCIM Error schema and the string status"},
		{"new-id-on-reactivate", "reactivating a user gives it a new id"},
		{"returns-password", "the password is echoed back in responses"},
		{"cross-location-ids", "users of another location can be read by id"},
		{"old-key-valid", "a rotated API key keeps working"},
		{"invite-inactive", "admins can invite inactive users"},
		{"server-error-on-bad-json", "malformed JSON bodies answer 500 instead of 400 invalidSyntax"},
		{"patch-not-atomic", "a PATCH whose later operation fails keeps its earlier operations"},
		{"groups-404", "GET /Groups answers 404, so Okta's Test API Credentials fails"},
		{"no-www-authenticate", "401 responses omit the WWW-Authenticate header"},
		{"deactivated-can-sign-in", "deactivated users keep canSignIn true"},
		{"no-body-limit", "bodies over 1 MiB are accepted"},
	}
}
