package console

import (
	"net/http"
	"strings"

	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// Mount is the console as a face of `mockokta serve`, at "/": it shares
// the server's org, shows the server's OIDC issuer on the Sign On tab and
// marks its cookies Secure when the public URL is https.
func Mount() serve.Mount {
	return serve.Mount{Pattern: "/", Handler: func(env serve.Env) (http.Handler, error) {
		return New(env.Org, Options{
			Logger:        env.Logger,
			Issuer:        env.Issuer,
			SecureCookies: strings.HasPrefix(env.PublicURL, "https://"),
		})
	}}
}
