package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/xakia-okta/scimtest/mockokta/oidc"
	"github.com/xakia-okta/scimtest/mockokta/serve"
)

// oidcMount is the org's OIDC provider (the Xakia OIDC app's sign-in) under
// the issuer path, over the same org as every other face.
func oidcMount() serve.Mount {
	return serve.Mount{
		Pattern: serve.IssuerPath + "/",
		Handler: func(env serve.Env) (http.Handler, error) {
			// Loading (or creating and storing) the signing key is the only work.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			p, err := oidc.New(ctx, oidc.Config{Org: oidc.ForOrg(env.Org), PublicURL: env.PublicURL, Logger: env.Logger})
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
