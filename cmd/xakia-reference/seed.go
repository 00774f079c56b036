package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/xakia-okta/scimtest/internal/clikit"
	"github.com/xakia-okta/scimtest/reference"
)

const seedLong = `Fill a location with N synthetic users, fast, for load tests and benchmarks.

The users look like Okta's creations (name, work email, displayName, locale,
an externalId of Okta's form), are active and not invited. All of them are
written in one transaction: a failure leaves the location as it was. Their
userNames carry a random run tag (printed), so seeding again adds users.`

// Seed is the seed command.
func (commandSet) Seed(_ *app) *cobra.Command {
	var db string
	var users int
	cmd := &cobra.Command{
		Use:   "seed LOCATION --users N",
		Short: "fill a location with N synthetic users",
		Long:  seedLong,
		Example: `  xakia-reference seed default --users 100000 --db ./xakia-reference.db
  xakia-reference seed sydney-office --users 5000 --db postgres://xakia@db/xakia`,
		Args: clikit.ExactArgs(1, "LOCATION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("users") {
				return usagef("seed needs --users N, the number of users to create")
			}
			if users < 1 || users > reference.MaxSeedUsers {
				return usagef("--users must be 1..%d, got %d", reference.MaxSeedUsers, users)
			}
			ctx, stdout := cmd.Context(), cmd.OutOrStdout()
			return withDB(ctx, db, func(d *reference.DB) error {
				start := time.Now()
				res, err := d.Seed(ctx, args[0], users)
				if errors.Is(err, reference.ErrNoLocation) {
					return fmt.Errorf("no location %q (see: xakia-reference location list)", args[0])
				}
				if err != nil {
					return err
				}
				took := time.Since(start)
				fmt.Fprintf(stdout, "Seeded %d users into %s in %s (%.0f users/s).\n", res.Users, args[0],
					took.Round(time.Millisecond), float64(res.Users)/took.Seconds())
				fmt.Fprintf(stdout, "userNames: %s\n", res.UserNamePattern)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&db, "db", defaultDB, "database `DSN`: SQLite file or postgres:// URL")
	cmd.Flags().IntVar(&users, "users", 0, "number of users to create, `N` (required)")
	clikit.BindEnv(cmd.Flags(), "db", "XAKIA_DB")
	return cmd
}
