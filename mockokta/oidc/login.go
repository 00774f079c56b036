package oidc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// csrfCookie holds the browser's random CSRF secret; the login form carries
// an HMAC of it and the auth request id (a double-submit token bound to the
// sign-in in progress).
const csrfCookie = "mockokta_oidc_csrf"

// Okta's words on the sign-in page and its error pages.
const (
	msgUnableToSignIn = "Unable to sign in"
	msgNotAssigned    = "User is not assigned to the client application."
	msgExpired        = "Your sign-in request has expired or was already used. Go back to the application and sign in again."
	msgForbidden      = "The sign-in form was not sent from this page (missing or wrong CSRF token). Go back to the application and sign in again."
)

// pageData fills the page template: a sign-in form when RequestID is set,
// else a message page.
type pageData struct {
	Title     string
	Message   string
	Error     string
	RequestID string
	CSRF      string
	Login     string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - Okta (mock)</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;background:#f4f4f4;color:#1d1d21;margin:0}
main{max-width:400px;margin:60px auto;background:#fff;border:1px solid #ddd;border-radius:4px;padding:32px 42px}
h1{font-size:20px;margin:0 0 24px;text-align:center}
label{display:block;font-weight:bold;margin:16px 0 6px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #8c8c96;border-radius:4px;font-size:15px}
button{margin-top:24px;width:100%;padding:10px;background:#1662dd;color:#fff;border:0;border-radius:4px;font-size:15px}
.error{background:#fff0f0;border:1px solid #d93934;border-radius:4px;padding:10px;color:#d93934}
.brand{text-align:center;color:#6e6e78;font-size:12px;margin-bottom:16px}
</style>
</head>
<body>
<main>
<div class="brand">Okta (mock org)</div>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .RequestID}}<form method="post" action="login" autocomplete="off">
<input type="hidden" name="id" value="{{.RequestID}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{{.Login}}" autofocus required>
<label for="password">Password</label>
<input type="password" id="password" name="password" required>
<button type="submit">Sign in</button>
</form>{{end}}
</main>
</body>
</html>
`))

// page writes an HTML page with headers that keep it out of frames and caches.
func (p *Provider) page(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, d); err != nil {
		p.log.Error("oidc page", "error", err)
	}
}

// csrfToken binds the browser secret to one auth request.
func (p *Provider) csrfToken(secret, requestID string) string {
	m := hmac.New(sha256.New, p.csrfKey)
	m.Write([]byte(secret))
	m.Write([]byte{0})
	m.Write([]byte(requestID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// browserSecret returns the CSRF cookie's value, setting a new one when the
// browser has none.
func (p *Provider) browserSecret(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	secret, err := randomID(rand.Reader, "", 43)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: secret, Path: p.mount, HttpOnly: true,
		Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
	return secret, nil
}

// login serves the sign-in page (GET) and checks a sign-in (POST).
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p.loginForm(w, r)
	case http.MethodPost:
		p.loginSubmit(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *Provider) loginForm(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	req, err := p.store.request(id)
	if err != nil || req.done {
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: msgExpired})
		return
	}
	secret, err := p.browserSecret(w, r)
	if err != nil {
		p.log.Error("oidc login", "error", err)
		p.page(w, http.StatusInternalServerError, pageData{Title: "500 Internal Server Error"})
		return
	}
	p.page(w, http.StatusOK, pageData{Title: "Sign In", RequestID: id, CSRF: p.csrfToken(secret, id), Login: req.loginHint})
}

func (p *Provider) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: "The sign-in form could not be read."})
		return
	}
	id := r.PostForm.Get("id")
	c, cerr := r.Cookie(csrfCookie)
	if cerr != nil || !hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(p.csrfToken(c.Value, id))) {
		p.log.Info("oidc sign-in refused", "reason", "missing or wrong CSRF token")
		p.page(w, http.StatusForbidden, pageData{Title: "403 Forbidden", Message: msgForbidden})
		return
	}
	req, err := p.store.request(id)
	if err != nil || req.done {
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: msgExpired})
		return
	}
	login := r.PostForm.Get("username")
	retry := func(reason string) {
		p.log.Info("oidc sign-in refused", "reason", reason, "login", login, "client_id", req.clientID)
		p.page(w, http.StatusUnauthorized, pageData{Title: "Sign In", Error: msgUnableToSignIn,
			RequestID: id, CSRF: r.PostForm.Get("csrf"), Login: login})
	}
	person, err := p.org.Authenticate(r.Context(), login, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, ErrBadCredentials):
		retry("unknown login or wrong password")
		return
	case err != nil:
		p.log.Error("oidc sign-in", "error", err)
		p.page(w, http.StatusInternalServerError, pageData{Title: "500 Internal Server Error", Message: "The mock Okta org could not answer."})
		return
	case person.Status != StatusActive:
		// Okta shows a deactivated or suspended person the same words as a
		// wrong password; the reason goes to the log (Okta's System Log).
		retry("user status is " + person.Status)
		return
	}
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	r = r.WithContext(ctx)
	assigned, err := p.org.Assigned(ctx, req.clientID, person.ID)
	if err != nil {
		p.log.Error("oidc sign-in", "error", err)
		p.page(w, http.StatusInternalServerError, pageData{Title: "500 Internal Server Error", Message: "The mock Okta org could not answer."})
		return
	}
	if !assigned {
		// Okta sends this error to the app's redirect URI, as OIDC requires.
		p.log.Info("oidc sign-in refused", "reason", "not assigned", "user", person.ID, "client_id", req.clientID)
		p.store.drop(id)
		op.AuthRequestError(w, r, req, zoidc.ErrAccessDenied().WithDescription(msgNotAssigned), p.op)
		return
	}
	done, err := p.store.complete(id, person.ID)
	if err != nil {
		p.page(w, http.StatusBadRequest, pageData{Title: "400 Bad Request", Message: msgExpired})
		return
	}
	p.log.Info("oidc sign-in", "user", person.ID, "client_id", req.clientID)
	op.AuthResponse(done, p.op, w, r)
}
