package reference

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/xakia-okta/scimtest/reference/internal/store"
)

// handleAdminInvite serves POST /admin/api/locations/{id}/users/{userId}/invite
// (docs/behaviour.md ): only an active, not-invited user becomes invited;
// anything else is 409 and changes nothing.
func (s *Server) handleAdminInvite(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.methodNotAllowed(w, r, http.MethodPost)
		return
	}
	l, err := s.adminLocation(r)
	if err != nil {
		s.writeError(w, s.errorFor(r, err))
		return
	}
	userID := r.PathValue("userId")
	u, err := s.inviteUser(r.Context(), l.ID, userID)
	s.writeAdminUser(w, r, l.ID, userID, u, err)
}

// inviteUser invites user userID of location locID (the admin API's and
// the web UI's Invite): an *apiError 409 with the rule's words when the
// rules do not allow it, store.ErrNotFound for an unknown user.
func (s *Server) inviteUser(ctx context.Context, locID, userID string) (store.User, error) {
	u, err := s.store.UpdateUser(ctx, locID, userID, func(u *store.User) error {
		return s.invite(u)
	})
	if err == nil {
		s.log.Info("user invited", "location", locID, "user", u.ID)
	}
	return u, err
}

// inviteRefusal says why u cannot be invited now, in the rule's words, or
// "" when it can: the rules of invite, tried on a copy.
func (s *Server) inviteRefusal(u store.User) string {
	if err := s.invite(&u); err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return ae.Detail
		}
		return err.Error()
	}
	return ""
}

// invite moves u to invited or says why it cannot be invited.
func (s *Server) invite(u *store.User) error {
	switch {
	case u.Deleted:
		return newError(http.StatusConflict, "", "cannot invite a deleted user")
	case !u.Active && !s.faults.Has(faultInviteInactive):
		return newError(http.StatusConflict, "", "cannot invite an inactive user: reactivate it first")
	case u.Invitation == store.Invited:
		return newError(http.StatusConflict, "", "the user is already invited")
	case u.Invitation == store.NotNeeded:
		return newError(http.StatusConflict, "", "the user existed before Okta and needs no invitation")
	case u.Invitation != store.NotInvited:
		return newError(http.StatusConflict, "", fmt.Sprintf("cannot invite a user in invitation state %q", u.Invitation))
	}
	u.Invitation = store.Invited
	return nil
}
