package mockokta

// Authority says who backs a finding: why a SCIM developer should act on it.
// The conformance suite and the mock Okta use the same four words.
type Authority string

// The authorities a finding can carry.
const (
	// AuthorityOkta: Okta's provisioning breaks or misbehaves (cite the Okta
	// wire fact in docs/okta-wire.md or Okta's documentation).
	AuthorityOkta Authority = "okta"
	// AuthorityRFC: a MUST of RFC 7643/7644 is broken (cite the section).
	AuthorityRFC Authority = "rfc"
	// AuthorityXakia: a rule of Xakia's documented behaviour (docs/behaviour.md);
	// judged only in the xakia profile.
	AuthorityXakia Authority = "xakia"
	// AuthorityAdvice: a SHOULD or good practice; reported as a warning and
	// never fails a verdict.
	AuthorityAdvice Authority = "advice"
)

// Fails reports whether a finding of this authority fails a verdict.
func (a Authority) Fails() bool { return a != AuthorityAdvice }

// Valid reports whether a is one of the four authorities.
func (a Authority) Valid() bool {
	switch a {
	case AuthorityOkta, AuthorityRFC, AuthorityXakia, AuthorityAdvice:
		return true
	}
	return false
}
