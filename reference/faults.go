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
		{"duplicate-primary", "several values with primary true in one multi-valued attribute are accepted and stored (POST, PUT, PATCH replace)"},
		{"keep-duplicate-values", "exact duplicate (type, value) pairs of a multi-valued attribute are stored and returned as sent"},
		{"noop-patch-bumps-version", "a PATCH that changes nothing still writes: meta.version and meta.lastModified move"},
		{"ignore-attributes-param", "the attributes and excludedAttributes query parameters are ignored"},
		{"etag-mismatch", "the ETag header is not equal to meta.version"},
		{"ignore-if-match", "a write with a stale If-Match applies instead of answering 412"},
		{"ignore-if-none-match", "a GET with a current If-None-Match answers 200 with the body instead of 304"},
		{"keep-cleared-values", "PATCH remove and PUT with null, \"\" or [] leave the stored value in place"},
		{"items-per-page-is-count", "GET /Users answers itemsPerPage equal to the count asked for instead of the number of Resources returned"},
		{"filter-eq-only", "filters other than one eq comparison answer 400 invalidFilter, while ServiceProviderConfig still advertises filtering"},
		{"multivalued-filter-never-matches", "filters on emails (emails.value, emails[...]) never match anything"},
		{"password-after-okta", "a pre-existing member converted to Okta sign-in by the first SCIM write can still sign in with its password"},
		{"signin-ignores-invite", "Sign in with Okta lets a not-invited member in, while the admin view still says canSignIn false"},
	}
}

// Fault names, as constants so that the code cannot misspell them.
const (
	faultFilterEqOnly         = "filter-eq-only"
	faultPasswordAfterOkta    = "password-after-okta"
	faultSignInIgnoresInvite  = "signin-ignores-invite"
	faultItemsPerPageIsCount  = "items-per-page-is-count"
	faultKeepClearedValues    = "keep-cleared-values"
	faultMultiValuedNoMatch   = "multivalued-filter-never-matches"
	faultFullQueryAttributes  = "full-query-attributes"
	faultCaseSensitiveName    = "case-sensitive-username"
	faultForgetDeactivated    = "forget-deactivated"
	faultAcceptAnyKey         = "accept-any-key"
	faultCreateReturns200     = "create-returns-200"
	faultNoLocationHeader     = "no-location-header"
	faultIgnoreNoPathPatch    = "ignore-nopath-patch"
	faultPutClearsAbsent      = "put-clears-absent"
	faultAutoInvite           = "auto-invite"
	faultReinviteExisting     = "reinvite-existing"
	faultStringPaging         = "string-paging"
	faultUnstablePaging       = "unstable-paging"
	faultTotalIsPageSize      = "total-is-page-size"
	faultConflictAs400        = "conflict-as-400"
	faultNoErrorSchema        = "no-error-schema"
	faultNewIDOnReactivate    = "new-id-on-reactivate"
	faultReturnsPassword      = "returns-password"
	faultCrossLocationIDs     = "cross-location-ids"
	faultOldKeyValid          = "old-key-valid"
	faultInviteInactive       = "invite-inactive"
	faultServerErrorOnBadJSON = "server-error-on-bad-json"
	faultPatchNotAtomic       = "patch-not-atomic"
	faultGroups404            = "groups-404"
	faultNoWWWAuthenticate    = "no-www-authenticate"
	faultDeactivatedCanSignIn = "deactivated-can-sign-in"
	faultNoBodyLimit          = "no-body-limit"
	faultDuplicatePrimary     = "duplicate-primary"
	faultKeepDuplicateValues  = "keep-duplicate-values"
	faultNoopPatchBumps       = "noop-patch-bumps-version"
	faultIgnoreAttributes     = "ignore-attributes-param"
	faultETagMismatch         = "etag-mismatch"
	faultIgnoreIfMatch        = "ignore-if-match"
	faultIgnoreIfNoneMatch    = "ignore-if-none-match"
)

// FaultSet is a parsed, immutable set of enabled faults. The zero value
// enables none.
type FaultSet struct {
	set switchSet
}

// faultNames lists the names of [Faults] in order.
func faultNames() []string {
	var out []string
	for _, f := range Faults() {
		out = append(out, f.Name)
	}
	return out
}

// ParseFaults checks every name against [Faults] and returns the set. An
// unknown name is an error that lists the valid names. Empty names are
// ignored and a name may repeat.
func ParseFaults(names []string) (FaultSet, error) {
	set, err := parseSwitches("fault", faultNames(), names)
	return FaultSet{set: set}, err
}

// Has reports whether the fault named name is enabled.
func (f FaultSet) Has(name string) bool { return f.set.has(name) }

// Names returns the enabled fault names in the order of [Faults].
func (f FaultSet) Names() []string { return f.set.names(faultNames()) }
