package oidctest

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
)

var (
	idInput   = regexp.MustCompile(`name="id" value="([^"]+)"`)
	csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// SignIn plays the person on the mock Okta sign-in page: page is the URL
// the browser landed on after /v1/authorize and body the page's HTML. It
// posts login and password with the page's hidden id and csrf fields
// through c, whose cookie jar must hold the page's cookie, and returns the
// response after c followed the redirects (to the relying party's callback
// when the sign-in succeeded, or the sign-in page again when refused). The
// caller closes the response body.
func SignIn(c *http.Client, page *url.URL, body []byte, login, password string) (*http.Response, error) {
	id, csrf := idInput.FindSubmatch(body), csrfInput.FindSubmatch(body)
	if id == nil || csrf == nil {
		return nil, errors.New("oidctest: the page is not the mock Okta sign-in page")
	}
	action := page.ResolveReference(&url.URL{Path: "login"})
	return c.PostForm(action.String(), url.Values{
		"id": {string(id[1])}, "csrf": {string(csrf[1])}, "username": {login}, "password": {password},
	})
}
