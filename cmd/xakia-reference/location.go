package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/reference"
	"github.com/xakia-okta/scimtest/reference/postgres"
)

const locationLong = `Manage the locations of a database, each with its own SCIM Base URI and API key.

create prints the new location's id, SCIM Base URI and SCIM API Key (shown
only once: the database keeps a hash). rotate-key prints a new key; the old
one stops working at once, also for a server running on the same database.`

// commonFlags are the flags shared by the location subcommands.
type commonFlags struct {
	db        string
	publicURL string
}

func (c *commonFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.db, "db", defaultDB, "database `DSN`: SQLite file, :memory: or postgres:// URL")
	fs.StringVar(&c.publicURL, "public-url", "http://"+defaultAddr, "origin `URL` used to print SCIM Base URIs")
	clikit.BindEnv(fs, "db", "XAKIA_DB")
	clikit.BindEnv(fs, "public-url", "XAKIA_PUBLIC_URL")
}

// Location is the location command and its subcommands.
func (commandSet) Location(_ *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "location",
		Aliases: []string{"locations"},
		Short:   "create, list and rotate the keys of locations",
		Long:    locationLong,
		Example: `  xakia-reference location create "Sydney Office" --db ./xakia-reference.db
  xakia-reference location list --db ./xakia-reference.db
  xakia-reference location rotate-key sydney-office --db ./xakia-reference.db`,
	}
	clikit.Group(cmd)
	cmd.AddCommand(locationCreate(), locationList(), locationRotateKey())
	return cmd
}

func locationCreate() *cobra.Command {
	var c commonFlags
	var qa string
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "create a location; prints its SCIM Base URI and API key",
		Example: `  xakia-reference location create "Sydney Office" --query-attributes full`,
		Args:    clikit.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if qa != reference.QueryLimited && qa != reference.QueryFull {
				return usagef("--query-attributes must be limited or full, got %q", qa)
			}
			ctx, stdout := cmd.Context(), cmd.OutOrStdout()
			return withDB(ctx, c.db, func(db *reference.DB) error {
				loc, key, err := db.CreateLocation(ctx, args[0], qa)
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
		},
	}
	c.register(cmd.Flags())
	cmd.Flags().StringVar(&qa, "query-attributes", reference.QueryLimited, "attributes returned by queries, `SET` = limited (the Xakia default) or full")
	return cmd
}

func locationList() *cobra.Command {
	var c commonFlags
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "list the locations",
		Example: `  xakia-reference location list --db ./xakia-reference.db`,
		Args:    clikit.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stdout := cmd.Context(), cmd.OutOrStdout()
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
		},
	}
	c.register(cmd.Flags())
	return cmd
}

func locationRotateKey() *cobra.Command {
	var c commonFlags
	cmd := &cobra.Command{
		Use:     "rotate-key ID",
		Short:   "generate a new API key; the old one stops working",
		Example: `  xakia-reference location rotate-key sydney-office --db ./xakia-reference.db`,
		Args:    clikit.ExactArgs(1, "location ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stdout := cmd.Context(), cmd.OutOrStdout()
			return withDB(ctx, c.db, func(db *reference.DB) error {
				key, err := db.RotateKey(ctx, args[0])
				if errors.Is(err, reference.ErrNoLocation) {
					return fmt.Errorf("no location %q (see: xakia-reference location list)", args[0])
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "SCIM API Key:  %s\n", key)
				fmt.Fprintln(stdout, "The old key no longer works; enter the new one in Okta.")
				return nil
			})
		},
	}
	c.register(cmd.Flags())
	return cmd
}

// withDB opens the database, runs fn and closes it.
func withDB(ctx context.Context, dsn string, fn func(*reference.DB) error) error {
	db, err := reference.OpenDB(ctx, dsn, slog.New(slog.DiscardHandler), postgres.Backend())
	if err != nil {
		return err
	}
	err = fn(db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}
