package mockokta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// SCIM schema URNs Okta sends.
const (
	schemaUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// wireName is the SCIM name complex attribute in Okta's order.
type wireName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// wireEmail is one SCIM email in Okta's order.
type wireEmail struct {
	Primary bool   `json:"primary"`
	Value   string `json:"value"`
	Type    string `json:"type"`
}

// createUserBody is Okta's POST /Users body, keys in Okta's order
// (docs/okta-wire.md, "Create").
type createUserBody struct {
	Schemas []string `json:"schemas"`
	// The Okta profile, in the order Okta writes it (embedded: its fields are
	// written here, between schemas and groups).
	profileValue
	Groups   []string `json:"groups"`
	Password string   `json:"password"`
	Active   bool     `json:"active"`
}

// patchBody is Okta's PatchOp body (one no-path replace).
type patchBody struct {
	Schemas    []string         `json:"schemas"`
	Operations []patchOperation `json:"Operations"`
}

type patchOperation struct {
	Op    string `json:"op"`
	Value any    `json:"value"`
}

type activeValue struct {
	Active bool `json:"active"`
}

type passwordValue struct {
	Password string `json:"password"`
}

// marshal encodes v compactly without HTML escaping, as Okta's JSON does.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the package's own plain structs are marshalled here.
		panic(fmt.Sprintf("mockokta: marshal %T: %v", v, err))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func emailsOf(p Profile) []wireEmail {
	return []wireEmail{{Primary: true, Value: p.Email, Type: "work"}}
}

// createBody returns the exact body of Okta's create request.
func createBody(u User, password string) []byte {
	return marshal(createUserBody{
		Schemas:      []string{schemaUser},
		profileValue: profileValueOf(u),
		Groups:       []string{},
		Password:     password,
		Active:       true,
	})
}

// patchActiveBody is the OIN (de)activation PATCH.
func patchActiveBody(active bool) []byte {
	return marshal(patchBody{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchOperation{{Op: "replace", Value: activeValue{Active: active}}},
	})
}

// patchPasswordBody is the OIN password-sync PATCH.
func patchPasswordBody(password string) []byte {
	return marshal(patchBody{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchOperation{{Op: "replace", Value: passwordValue{Password: password}}},
	})
}

// escapeQueryValue percent-encodes a query value the way Okta does: spaces
// as %20, quotes as %22, "@" as %40.
func escapeQueryValue(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// lookupQuery is the raw query of Okta's userName lookup.
func lookupQuery(userName string) string {
	return "filter=" + escapeQueryValue(`userName eq "`+userName+`"`) + "&startIndex=1&count=100"
}

// member is one key/value of a JSON object, kept in order.
type member struct {
	Key   string
	Value json.RawMessage
}

// object is a JSON object that keeps its key order, so that read-modify-write
// bodies echo the server's attributes in the server's order.
type object []member

// parseObject decodes a JSON object keeping key order; values are compacted.
func parseObject(b []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var o object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errors.New("object key is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		o = append(o, member{Key: key, Value: buf.Bytes()})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	return o, nil
}

// index returns the position of key (compared case-insensitively, as SCIM
// attribute names are), or -1.
func (o object) index(key string) int {
	for i, m := range o {
		if strings.EqualFold(m.Key, key) {
			return i
		}
	}
	return -1
}

// get returns the raw value of key, or nil.
func (o object) get(key string) json.RawMessage {
	if i := o.index(key); i >= 0 {
		return o[i].Value
	}
	return nil
}

// set replaces key in place (writing the canonical spelling) or appends it.
func (o *object) set(key string, v any) {
	raw, ok := v.(json.RawMessage)
	if !ok {
		raw = marshal(v)
	}
	if i := o.index(key); i >= 0 {
		(*o)[i] = member{Key: key, Value: raw}
		return
	}
	*o = append(*o, member{Key: key, Value: raw})
}

// remove deletes key if present.
func (o *object) remove(key string) {
	if i := o.index(key); i >= 0 {
		*o = append((*o)[:i], (*o)[i+1:]...)
	}
}

// bytes encodes the object compactly in its order.
func (o object) bytes() []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(marshal(m.Key))
		buf.WriteByte(':')
		buf.Write(m.Value)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// overlayProfile builds Okta's profile PUT body (link, update, the second
// round of an AIW re-assignment): the server's representation from GET, with
// Okta's app-user profile written over it, "groups":[] as real Okta sends it,
// every other attribute echoed back unchanged and any password the server
// wrongly returned dropped.
func overlayProfile(got []byte, u User, active bool) ([]byte, error) {
	o, err := parseObject(got)
	if err != nil {
		return nil, fmt.Errorf("the user returned by GET is not a JSON object: %w", err)
	}
	if o.index("schemas") < 0 {
		o = append(object{{Key: "schemas", Value: marshal([]string{schemaUser})}}, o...)
	}
	o.set("userName", u.Profile.Login)
	name := object{}
	if raw := o.get("name"); raw != nil && !bytes.Equal(raw, []byte("null")) {
		if n, err := parseObject(raw); err == nil {
			name = n
		}
	}
	name.set("givenName", u.Profile.FirstName)
	name.set("familyName", u.Profile.LastName)
	o.set("name", json.RawMessage(name.bytes()))
	o.set("emails", emailsOf(u.Profile))
	o.set("displayName", u.Profile.DisplayName)
	o.set("locale", u.Profile.Locale)
	o.set("externalId", u.ID)
	o.set("groups", []string{})
	o.set("active", active)
	o.remove("password")
	return o.bytes(), nil
}

// ProfilePutBody returns Okta's profile PUT body for the user: got is the
// body the server answered to GET {base}/Users/{id}; Okta writes its
// app-user profile (userName, name, emails, displayName, locale,
// externalId) and active over it, adds "groups":[], keeps every other
// attribute in the server's order and drops a returned password
// (docs/okta-wire.md, "Link an existing user" and "Profile update").
func ProfilePutBody(got []byte, u User, active bool) ([]byte, error) {
	return overlayProfile(got, u, active)
}

// ActivePutBody returns the body of an AIW (de)activation PUT: the GET body
// echoed unchanged except active, and without a password the server may
// have returned (docs/okta-wire.md, "Deactivate"). Recorded AIW traffic
// shows exactly this echo for deactivation. When the GET body has no
// userName (a server that limits what GET returns, as Xakia's query
// attributes do) the echo adds userName, the Okta login, after id: no
// capture covers that case, so this is inferred — a PUT without the
// required userName would be refused by a strict server (RFC 7643 §4.1.1).
func ActivePutBody(got []byte, active bool, userName string) ([]byte, error) {
	o, err := parseObject(got)
	if err != nil {
		return nil, fmt.Errorf("the user returned by GET is not a JSON object: %w", err)
	}
	if o.index("userName") < 0 && userName != "" {
		at := o.index("id") + 1 // 0 when there is no id
		o = append(o[:at], append(object{{Key: "userName", Value: marshal(userName)}}, o[at:]...)...)
	}
	o.set("active", active)
	o.remove("password")
	return o.bytes(), nil
}

// PatchActiveBody returns the OIN PATCH that sets active: one replace
// operation without a path (118 bytes for active false).
func PatchActiveBody(active bool) []byte { return patchActiveBody(active) }

// LookupQuery returns the raw query string of Okta's userName lookup
// (filter=userName%20eq%20%22…%22&startIndex=1&count=100).
func LookupQuery(userName string) string { return lookupQuery(userName) }

// CreateBody is the exact body of Okta's POST /Users for u with the given
// placeholder password (docs/okta-wire.md, "Create").
func CreateBody(u User, password string) []byte { return createBody(u, password) }

// profileValue is the Okta profile of a user as Okta writes it, in the
// order of the create body: the value of the OIN profile PATCH and the
// middle of the POST body.
type profileValue struct {
	UserName    string      `json:"userName"`
	Name        wireName    `json:"name"`
	Emails      []wireEmail `json:"emails"`
	DisplayName string      `json:"displayName"`
	Locale      string      `json:"locale"`
	ExternalID  string      `json:"externalId"`
}

// profileValueOf is the profileValue of a directory user.
func profileValueOf(u User) profileValue {
	return profileValue{
		UserName:    u.Profile.Login,
		Name:        wireName{GivenName: u.Profile.FirstName, FamilyName: u.Profile.LastName},
		Emails:      emailsOf(u.Profile),
		DisplayName: u.Profile.DisplayName,
		Locale:      u.Profile.Locale,
		ExternalID:  u.ID,
	}
}

// patchProfileBody is the OIN profile update when the app's update style is
// PATCH: one no-path replace whose value holds the Okta profile. The shape
// is inferred (no public capture); docs/okta-wire.md says so.
func patchProfileBody(u User) []byte {
	return marshal(patchBody{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchOperation{{Op: "replace", Value: profileValueOf(u)}},
	})
}

// withPassword adds or replaces the top-level password of a PUT body.
func withPassword(body []byte, password string) ([]byte, error) {
	o, err := parseObject(body)
	if err != nil {
		return nil, err
	}
	o.set("password", password)
	return o.bytes(), nil
}

// scimError extracts the detail of a SCIM error body, if any.
func scimError(body []byte) string {
	var e struct {
		Detail   string `json:"detail"`
		ScimType string `json:"scimType"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Detail
}

// userSummary is what the mock reads from a SCIM user representation.
type userSummary struct {
	ID         string
	UserName   string // empty when the server did not return it
	ExternalID string
	Active     *bool // nil when absent
	GivenName  string
	FamilyName string
}

// readUser reads a user representation; keys are matched case-insensitively.
func readUser(b []byte) (userSummary, error) {
	o, err := parseObject(b)
	if err != nil {
		return userSummary{}, err
	}
	var u userSummary
	str := func(raw json.RawMessage) string {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	u.ID = str(o.get("id"))
	u.UserName = str(o.get("userName"))
	u.ExternalID = str(o.get("externalId"))
	if raw := o.get("active"); raw != nil {
		var a bool
		if json.Unmarshal(raw, &a) == nil {
			u.Active = &a
		}
	}
	if raw := o.get("name"); raw != nil {
		if n, err := parseObject(raw); err == nil {
			u.GivenName = str(n.get("givenName"))
			u.FamilyName = str(n.get("familyName"))
		}
	}
	return u, nil
}

// listResponse is a parsed SCIM ListResponse with its paging fields checked.
type listResponse struct {
	TotalResults int
	StartIndex   int
	ItemsPerPage int
	HasItems     bool // itemsPerPage was present
	Resources    []json.RawMessage
}

// parseList parses a ListResponse and insists, as Okta does, that the
// paging fields are JSON integers.
func parseList(b []byte) (listResponse, error) {
	o, err := parseObject(b)
	if err != nil {
		return listResponse{}, fmt.Errorf("the response is not a JSON object: %v", err)
	}
	var l listResponse
	intField := func(name string, required bool) (int, bool, error) {
		raw := o.get(name)
		if raw == nil {
			if required {
				return 0, false, fmt.Errorf("%s is missing", name)
			}
			return 0, false, nil
		}
		switch raw[0] {
		case '"':
			return 0, true, fmt.Errorf("%s is a string (%s), not an integer", name, raw)
		case 'n':
			return 0, true, fmt.Errorf("%s is null, not an integer", name)
		}
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return 0, true, fmt.Errorf("%s is not a number (%s)", name, raw)
		}
		i, err := n.Int64()
		if err != nil || i < 0 {
			return 0, true, fmt.Errorf("%s is not a non-negative integer (%s)", name, raw)
		}
		return int(i), true, nil
	}
	if l.TotalResults, _, err = intField("totalResults", true); err != nil {
		return l, err
	}
	if l.StartIndex, _, err = intField("startIndex", false); err != nil {
		return l, err
	}
	if l.ItemsPerPage, l.HasItems, err = intField("itemsPerPage", false); err != nil {
		return l, err
	}
	if raw := o.get("Resources"); raw != nil && !bytes.Equal(raw, []byte("null")) {
		if err := json.Unmarshal(raw, &l.Resources); err != nil {
			return l, fmt.Errorf("the Resources member is not an array: %v", err)
		}
	}
	return l, nil
}
