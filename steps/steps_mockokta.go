package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/xakia-okta/scimtest/mockokta"
)

// okta is the mock Okta of a scenario, with its last task result.
type oktaState struct {
	okta *mockokta.Okta
	last mockokta.TaskResult
	ran  bool
}

func (w *World) mockOkta(style string) error {
	st := mockokta.StyleOIN
	if strings.EqualFold(style, "AIW") {
		st = mockokta.StyleAIW
	}
	o, err := mockokta.New(mockokta.App{
		BaseURL:    w.loc.BaseURL,
		Auth:       mockokta.AuthBearer,
		Credential: w.loc.APIKey,
		Style:      st,
	}, nil, mockokta.Options{Transport: w.rec, NoRecord: true})
	if err != nil {
		return fmt.Errorf("cannot set up the mock Okta: %v", err)
	}
	w.okta = &oktaState{okta: o}
	return nil
}

// oktaTask runs a task of the mock Okta and remembers its result.
func (w *World) oktaTask(run func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult) error {
	if w.okta == nil {
		return fmt.Errorf("no mock Okta in this scenario (add \"a mock Okta with an OIN app for the location\")")
	}
	w.okta.last = run(w.ctx, w.okta.okta)
	w.okta.ran = true
	// The mock Okta may have written: earlier read-backs are stale.
	w.forgetReads()
	return nil
}

func (w *World) oktaTestConnection() error {
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.TestConnection(ctx) })
}

// oktaAssignNew adds an Okta user for alias and assigns it.
func (w *World) oktaAssignNew(alias string) error {
	u := w.userFor(alias)
	p := mockokta.ProfileFromEmail(u.UserName, u.Given, u.Family)
	if err := w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.AddAndAssign(ctx, p) }); err != nil {
		return err
	}
	return w.learnFromTask(u)
}

// learnFromTask records the SCIM id and Okta id of a task's user.
func (w *World) learnFromTask(u *user) error {
	r := w.okta.last
	if r.OktaID != "" {
		u.ExternalID = r.OktaID
	}
	if r.SCIMID != "" && u.ID == "" {
		w.adopt(u, r.SCIMID, gjson.Result{})
	}
	return nil
}

func (w *World) oktaSucceeds() error {
	if w.okta == nil || !w.okta.ran {
		return fmt.Errorf("no mock Okta task ran")
	}
	r := w.okta.last
	if !r.OK {
		return taskFailure(r, fmt.Sprintf("the Okta %s task failed, as Okta would show it: %s", r.Operation, r.Message))
	}
	return nil
}

// taskFailure is the error of a failed mock Okta task. A task that failed on
// a list whose paging fields are not integers failed on the list-shape rule
// that its own scenarios assert: that is its cause, so the scenario is
// blocked by that finding rather than failing again.
func taskFailure(r mockokta.TaskResult, msg string) error {
	if strings.Contains(r.Message, "not an integer") {
		return &checkError{Authority: mockokta.AuthorityOkta, Cite: citeOktaImport, Rule: rulePagingInts, Precondition: true, Msg: msg}
	}
	return errors.New(msg)
}

func (w *World) oktaCreated(alias string) error {
	if err := w.oktaSucceeds(); err != nil {
		return err
	}
	r := w.okta.last
	if !r.Created || r.SCIMID == "" {
		return taskFailure(r, fmt.Sprintf("the Okta assign task should have created %q (it %s): %s", alias, linkedOrNot(r), r.Message))
	}
	return nil
}

func (w *World) oktaLinked(alias string) error {
	if err := w.oktaSucceeds(); err != nil {
		return err
	}
	r := w.okta.last
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if !r.Linked || r.Created || r.SCIMID != u.ID {
		return taskFailure(r, fmt.Sprintf("the Okta assign task should have linked %q to the existing id %s (it %s, id %q): %s", alias, u.ID, linkedOrNot(r), r.SCIMID, r.Message))
	}
	return nil
}

func linkedOrNot(r mockokta.TaskResult) string {
	switch {
	case r.Created:
		return "created a user"
	case r.Linked:
		return "linked a user"
	}
	return "neither created nor linked a user"
}

func (w *World) oktaSameID(alias string) error {
	if err := w.oktaSucceeds(); err != nil {
		return err
	}
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if w.okta.last.SCIMID != u.ID {
		return fmt.Errorf("the Okta CRUD test expects the same SCIM id back for %q: was %s, now %q", alias, u.ID, w.okta.last.SCIMID)
	}
	return nil
}

func (w *World) oktaIDOf(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(u.ExternalID, "00u") {
		return fmt.Errorf("the mock Okta gave %q no Okta user id", alias)
	}
	return w.storedHas(alias, "externalId", `"`+u.ExternalID+`"`)
}

func (w *World) oktaLogin(alias string) (string, error) {
	u, err := w.knownUser(alias)
	if err != nil {
		return "", err
	}
	return u.UserName, nil
}

func (w *World) oktaChangeFirstName(alias, first string) error {
	login, err := w.oktaLogin(alias)
	if err != nil {
		return err
	}
	if w.okta == nil {
		return fmt.Errorf("no mock Okta in this scenario")
	}
	ou, err := w.okta.okta.Directory().Get(login)
	if err != nil {
		return err
	}
	p := ou.Profile
	p.FirstName = first
	p.DisplayName = first + " " + p.LastName
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.UpdateProfile(ctx, login, p) })
}

func (w *World) oktaDeactivate(alias string) error {
	login, err := w.oktaLogin(alias)
	if err != nil {
		return err
	}
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
		return o.DeactivateOktaUser(ctx, login)
	})
}

func (w *World) oktaReactivate(alias string) error {
	login, err := w.oktaLogin(alias)
	if err != nil {
		return err
	}
	// Okta removed the user's direct assignment when it was deactivated, so
	// reactivating it sends nothing; the administrator then assigns it again,
	// which is what reaches the server.
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult {
		if r := o.ReactivateOktaUser(ctx, login); !r.OK {
			return r
		}
		return o.Assign(ctx, login)
	})
}

func (w *World) oktaUnassign(alias string) error {
	login, err := w.oktaLogin(alias)
	if err != nil {
		return err
	}
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.Unassign(ctx, login) })
}

func (w *World) oktaReassign(alias string) error {
	login, err := w.oktaLogin(alias)
	if err != nil {
		return err
	}
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.Reassign(ctx, login) })
}

func (w *World) oktaHasAssigned(a, b string) error {
	for _, alias := range []string{a, b} {
		if err := w.oktaAssignNew(alias); err != nil {
			return err
		}
		if err := w.oktaCreated(alias); err != nil {
			return err
		}
	}
	return nil
}

func (w *World) oktaHasUnassigned(alias string) error {
	if err := w.oktaUnassign(alias); err != nil {
		return err
	}
	return w.oktaSucceeds()
}

func (w *World) oktaImport() error {
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.Import(ctx) })
}

func (w *World) importLists(in, out string) error {
	if w.okta == nil || !w.okta.ran {
		return fmt.Errorf("no mock Okta import ran")
	}
	want, err := w.knownUser(in)
	if err != nil {
		return err
	}
	not, err := w.knownUser(out)
	if err != nil {
		return err
	}
	var sawIn, sawOut bool
	for _, iu := range w.okta.last.Imported {
		sawIn = sawIn || iu.ID == want.ID
		sawOut = sawOut || iu.ID == not.ID
	}
	if !sawIn {
		return fmt.Errorf("the Okta import did not bring in the active user %q (id %s)", in, want.ID)
	}
	if sawOut {
		return fmt.Errorf("the Okta import brought in the inactive user %q (id %s); Okta leaves inactive users out, so the server reported it active", out, not.ID)
	}
	return nil
}

func (w *World) oktaAssignExisting(alias string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	p := mockokta.ProfileFromEmail(u.UserName, u.Given, u.Family)
	return w.oktaTask(func(ctx context.Context, o *mockokta.Okta) mockokta.TaskResult { return o.AddAndAssign(ctx, p) })
}

func (w *World) serverReturnsActive(alias, active string) error {
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	r, err := w.last()
	if err != nil {
		return err
	}
	if r.Method != http.MethodGet || r.Path != "/Users/"+u.ID {
		return fmt.Errorf("the last request was %s %s, not a read of %q (a When step \"Okta reads the user %q by id\" must come before this check)", r.Method, r.Path, alias, alias)
	}
	if err := expectStatus(r, http.StatusOK); err != nil {
		return fmt.Errorf("the server must still return %q: %w", alias, err)
	}
	return w.attrIsBool("active", active)
}

// importedDeclared checks the userName Okta's import got for a user
// against the declared query attributes: absent when a query-attributes
// deviation leaves it out (recorded as a deviation), exact otherwise.
func (w *World) importedDeclared(alias string) error {
	if w.okta == nil || !w.okta.ran {
		return fmt.Errorf("no mock Okta import ran")
	}
	u, err := w.knownUser(alias)
	if err != nil {
		return err
	}
	var got *mockokta.ImportedUser
	for i, iu := range w.okta.last.Imported {
		if iu.ID == u.ID {
			got = &w.okta.last.Imported[i]
		}
	}
	if got == nil {
		return fmt.Errorf("the Okta import did not bring in %q (id %s)", alias, u.ID)
	}
	if d, ok := w.run.manifest.QueryAttributes(); ok && !containsFold(d.Returned, "userName") {
		if got.UserName == "" {
			w.deviations = append(w.deviations, deviationHit{ID: d.ID, Impact: "Okta's import would list the user without a userName (it can only match by externalId)"})
			return nil
		}
		// More than declared: an improvement, noticed once; judged below.
		w.run.notice(fmt.Sprintf("declared deviation %s is not observed: query results carry more than %s (the import received userName %q for %q). "+
			"If the target no longer has this limitation, remove it from the deviation manifest (%s) or run the okta profile (--profile okta / %s=okta); "+
			"meanwhile query results are judged on what they carry.",
			d.ID, strings.Join(d.Returned, ", "), got.UserName, alias, EnvDeviations, EnvProfile))
	}
	if got.UserName != u.UserName {
		return fmt.Errorf("the Okta import received userName %q for %q, expected %q", got.UserName, alias, u.UserName)
	}
	return nil
}
