package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/xakia-okta/scimtest/reference"
)

const locationUsage = `Usage:
  xakia-reference location create NAME [--db DB] [--query-attributes limited|full] [--public-url URL]
  xakia-reference location list [--db DB] [--public-url URL]
  xakia-reference location rotate-key ID [--db DB]

create prints the new location's id, SCIM Base URI and SCIM API Key (shown
only once: the database keeps a hash). rotate-key prints a new key; the old
one stops working at once, also for a server running on the same database.

Examples:
  xakia-reference location create "Sydney Office" --db ./xakia-reference.db
  xakia-reference location list --db ./xakia-reference.db
  xakia-reference location rotate-key sydney-office --db ./xakia-reference.db
`

// commonFlags are the flags shared by the location subcommands.
type commonFlags struct {
	db        string
	publicURL string
}

func (c *commonFlags) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&c.db, "db", orEnv(getenv, "XAKIA_DB", defaultDB),
		"SQLite file, :memory: or postgres:// URL [XAKIA_DB]")
	fs.StringVar(&c.publicURL, "public-url", orEnv(getenv, "XAKIA_PUBLIC_URL", "http://"+defaultAddr),
		"origin used to print SCIM Base URIs [XAKIA_PUBLIC_URL]")
}

func location(ctx context.Context, args []string, stdout, stderr io.Writer, getenv env) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, locationUsage)
		return usagef("location needs a subcommand: create, list or rotate-key")
	}
	var c commonFlags
	fs := newFlagSet("location "+args[0], locationUsage, stderr)
	c.register(fs, getenv)
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, locationUsage)
		return nil
	case "create":
		qa := fs.String("query-attributes", reference.QueryLimited, "attributes returned by queries: limited (the Xakia default) or full")
		pos, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("location create needs exactly one NAME, got %d arguments", len(pos))
		}
		if *qa != reference.QueryLimited && *qa != reference.QueryFull {
			return usagef("--query-attributes must be limited or full, got %q", *qa)
		}
		return withDB(ctx, c.db, func(db *reference.DB) error {
			loc, key, err := db.CreateLocation(ctx, pos[0], *qa)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Location:         %s (%s)\n", loc.ID, loc.Name)
			fmt.Fprintf(stdout, "Query attributes: %s\n", loc.QueryAttributes)
			fmt.Fprintf(stdout, "SCIM Base URI:    %s\n", reference.SCIMBaseURI(c.publicURL, loc.ID))
			fmt.Fprintf(stdout, "SCIM API Key:     %s\n", key)
			fmt.Fprintln(stdout, "The key is shown only once; enter it in Okta now.")
			return nil
		})
	case "list":
		pos, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return usagef("location list takes no arguments, got %q", pos[0])
		}
		return withDB(ctx, c.db, func(db *reference.DB) error {
			locs, err := db.Locations(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tQUERY ATTRIBUTES\tSCIM BASE URI\tCREATED")
			for _, l := range locs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.ID, l.Name, l.QueryAttributes,
					reference.SCIMBaseURI(c.publicURL, l.ID), l.Created.UTC().Format(time.RFC3339))
			}
			return tw.Flush()
		})
	case "rotate-key":
		pos, err := parseArgs(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("location rotate-key needs exactly one location ID, got %d arguments", len(pos))
		}
		return withDB(ctx, c.db, func(db *reference.DB) error {
			key, err := db.RotateKey(ctx, pos[0])
			if errors.Is(err, reference.ErrNoLocation) {
				return fmt.Errorf("no location %q (see: xakia-reference location list)", pos[0])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "SCIM API Key:  %s\n", key)
			fmt.Fprintln(stdout, "The old key no longer works; enter the new one in Okta.")
			return nil
		})
	}
	return usagef("unknown location subcommand %q (create, list, rotate-key)", args[0])
}

// withDB opens the database, runs fn and closes it.
func withDB(ctx context.Context, dsn string, fn func(*reference.DB) error) error {
	db, err := reference.OpenDB(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	err = fn(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
