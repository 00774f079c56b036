// Package postgres adds PostgreSQL to the reference server. The reference
// package links SQLite only, so that the programs that embed it (mockokta,
// the conformance suite) stay free of the PostgreSQL driver; a program that
// serves PostgreSQL passes Backend() to reference.OpenDB or
// reference.Options.DBOptions:
//
//	db, err := reference.OpenDB(ctx, "postgres://xakia@db/xakia", logger, postgres.Backend())
package postgres

import (
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reference/internal/store"
	pgstore "github.com/xakia-okta/scimtest/reference/internal/store/postgres"
)

// Backend lets the reference open postgres:// URLs and keyword DSNs
// (host=… dbname=…).
func Backend() reference.DBOption {
	return reference.StoreOption(store.WithPostgres(pgstore.Open))
}
