package reports

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Redacted is what every redacted value is replaced with.
const Redacted = "REDACTED"

// minSecretLen is the length under which a secret is ignored: replacing every
// "a" or "id" in a transcript would destroy it and protect nothing.
const minSecretLen = 4

// sensitiveHeaders are the headers whose values are never kept.
var sensitiveHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"X-Api-Key":           true,
}

// schemeHeaders are the sensitive headers whose leading scheme word is kept
// ("Bearer REDACTED"), because the scheme is what a reader needs to debug auth.
var schemeHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
}

// schemeWord matches an auth scheme such as Bearer, Basic or SSWS.
var schemeWord = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,19}$`)

// secretJSONField matches a JSON string member whose name says it holds a
// credential (the admin API answers {"apiKey": "..."} before anyone could
// register the key as a secret; Okta sends a random "password" on create).
var secretJSONField = regexp.MustCompile(`("(?i:apiKey|api_key|adminToken|admin_token|token|accessToken|access_token|refreshToken|refresh_token|clientSecret|client_secret|secret|password)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// redactHeaderValue hides the value of a sensitive header, keeping the
// scheme word of Authorization-like headers.
func redactHeaderValue(name, value string) string {
	if schemeHeaders[name] {
		if scheme, rest, ok := strings.Cut(strings.TrimSpace(value), " "); ok && schemeWord.MatchString(scheme) && strings.TrimSpace(rest) != "" {
			return scheme + " " + Redacted
		}
	}
	return Redacted
}

// redactor replaces known secrets, in all the forms they may take in a URL, a
// header or a JSON body, with Redacted.
type redactor struct {
	forms []string // longest first, so a secret containing another is hidden whole
}

// newRedactor builds a redactor for secrets of at least minSecretLen bytes.
func newRedactor(secrets []string) redactor {
	seen := map[string]bool{}
	var forms []string
	add := func(s string) {
		if len(s) >= minSecretLen && !seen[s] {
			seen[s] = true
			forms = append(forms, s)
		}
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if b, err := json.Marshal(s); err == nil {
			add(string(b[1 : len(b)-1]))
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return redactor{forms: forms}
}

// string redacts a string.
func (r redactor) string(s string) string {
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Redacted)
		}
	}
	return s
}

// bytes redacts a body; it returns b itself when nothing changed.
func (r redactor) bytes(b []byte) []byte {
	for _, f := range r.forms {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
		}
	}
	return redactJSONFields(b)
}

// redactJSONFields hides the values of JSON members named like credentials;
// it returns b itself when there are none.
func redactJSONFields(b []byte) []byte {
	if secretJSONField.Match(b) {
		b = secretJSONField.ReplaceAll(b, []byte(`${1}"`+Redacted+`"`))
	}
	return b
}

// header returns a redacted copy of h (nil stays nil).
func (r redactor) header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		canon := http.CanonicalHeaderKey(name)
		vs := make([]string, len(values))
		for i, v := range values {
			if sensitiveHeaders[canon] {
				vs[i] = redactHeaderValue(canon, v)
			} else {
				vs[i] = r.string(v)
			}
		}
		out[name] = vs
	}
	return out
}

// exchange redacts every kept part of e in place.
func (r redactor) exchange(e *Exchange) {
	r.meta(e)
	e.RequestBody = r.bytes(e.RequestBody)
	e.ResponseBody = r.bytes(e.ResponseBody)
}

// url redacts a URL: the secrets as written, then a secret hidden by any
// mix of percent-encoding in a path or a query parameter.
func (r redactor) url(raw string) string {
	raw = r.string(raw)
	if len(r.forms) == 0 {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	changed := false
	if p := r.string(u.Path); p != u.Path {
		u.Path, u.RawPath, changed = p, "", true
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			k, v, hasValue := strings.Cut(part, "=")
			uk, kerr := url.QueryUnescape(k)
			uv, verr := url.QueryUnescape(v)
			if kerr != nil || verr != nil {
				continue
			}
			rk, rv := r.string(uk), r.string(uv)
			if rk == uk && rv == uv {
				continue
			}
			parts[i] = url.QueryEscape(rk)
			if hasValue {
				parts[i] += "=" + url.QueryEscape(rv)
			}
			changed = true
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if !changed {
		return raw
	}
	return u.String()
}

// meta redacts the URL, the headers and the error text of e in place.
func (r redactor) meta(e *Exchange) {
	e.URL = r.url(e.URL)
	e.RequestHeaders = r.header(e.RequestHeaders)
	e.ResponseHeaders = r.header(e.ResponseHeaders)
	e.Err = r.string(e.Err)
}
