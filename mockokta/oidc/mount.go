package oidc

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// Mount is the org's OIDC provider (the Xakia OIDC app's sign-in) as a face of
// `mockokta serve`: under the issuer path, over the same org as every other face.
// The command and the suite's embedded mock Okta org both mount it.
func Mount() serve.Mount {
	return serve.Mount{
		Pattern: serve.IssuerPath + "/",
		Handler: func(env serve.Env) (http.Handler, error) {
			// Loading (or creating and storing) the signing key is the only work.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := New(ctx, Config{Org: ForOrg(env.Org), PublicURL: env.PublicURL, Logger: env.Logger})
			if err != nil {
				return nil, err
			}
			if p.Issuer() != env.Issuer {
				return nil, fmt.Errorf("the OIDC provider's issuer %s is not the server's %s", p.Issuer(), env.Issuer)
			}
			return p, nil
		},
	}
}
