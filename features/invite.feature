@admin @invite @xakia
Feature: Invitations and sign-in
  Each new Xakia user must be invited by an admin before it can sign in; users that
  existed before Okta need no invite and are converted to Okta sign-in; deactivated
  users cannot sign in. Seen through the admin API. Checks docs/behaviour.md §4
  (X-4.1 to X-4.3) and the sign-in side of §6 (X-6.2 to X-6.4).

  @id:invite-scim-user-not-invited
  Scenario: A user created through SCIM is not invited and cannot sign in
    Given Okta has assigned the user "alice"
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "not-invited", sign-in "okta" and canSignIn false

  @id:invite-invited-can-sign-in
  Scenario: An invited user can sign in
    Given Okta has assigned the user "alice"
    When an admin invites the user "alice"
    Then the admin request succeeded
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "invited", sign-in "okta" and canSignIn true

  @id:invite-twice-409
  Scenario: Inviting a user twice is refused with 409 and changes nothing
    Given Okta has assigned the user "alice"
    And an admin has invited the user "alice"
    When an admin invites the user "alice"
    Then the admin request is refused with 409
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "invited", sign-in "okta" and canSignIn true

  @id:invite-inactive-409
  Scenario: Inviting an inactive user is refused with 409 and changes nothing
    Given Okta has assigned the user "alice"
    And the user "alice" has been deactivated by Okta
    When an admin invites the user "alice"
    Then the admin request is refused with 409
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "not-invited", sign-in "okta" and canSignIn false

  @id:invite-pre-existing-password-sign-in
  Scenario: A user that existed before Okta signs in with a password and needs no invite
    Given the user "dave" already exists in Xakia, created by an admin
    When an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "password" and canSignIn true
    When an admin invites the user "dave"
    Then the admin request is refused with 409

  @id:invite-pre-existing-converted-by-put
  Scenario: The first SCIM PUT converts a pre-existing user to Okta sign-in without an invite
    Given the user "dave" already exists in Xakia, created by an admin
    When Okta links the user "dave" and pushes its profile
    Then the response status is 200
    When an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "okta" and canSignIn true

  @id:invite-pre-existing-converted-by-patch
  Scenario: The first SCIM PATCH converts a pre-existing user to Okta sign-in without an invite
    Given the user "dave" already exists in Xakia, created by an admin
    When Okta re-assigns the user "dave"
    Then the response status is 200 or 204
    When an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "okta" and canSignIn true

  @id:invite-deactivated-cannot-sign-in
  Scenario: A deactivated user cannot sign in
    Given Okta has assigned the user "alice"
    And an admin has invited the user "alice"
    When Okta deactivates the user "alice" with its OIN PATCH
    And an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "invited", sign-in "okta" and canSignIn false

  @id:invite-reactivated-invited-signs-in
  Scenario: Reactivating an invited user restores sign-in without a new invite
    Given Okta has assigned the user "alice"
    And an admin has invited the user "alice"
    And the user "alice" has been deactivated by Okta
    When Okta re-assigns the user "alice"
    And an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "invited", sign-in "okta" and canSignIn true

  @id:invite-reactivated-never-invited
  Scenario: Reactivating a never-invited user still needs an invite
    Given Okta has assigned the user "alice"
    And the user "alice" has been deactivated by Okta
    When Okta re-assigns the user "alice"
    And an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "not-invited", sign-in "okta" and canSignIn false
    When an admin invites the user "alice"
    Then the admin request succeeded
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows invitation "invited", sign-in "okta" and canSignIn true

  @id:invite-reactivated-pre-existing
  Scenario: Reactivating a pre-existing user restores sign-in without an invite
    Given the user "dave" already exists in Xakia, created by an admin
    And Okta has linked the user "dave" and pushed its profile
    And the user "dave" has been deactivated by Okta
    When an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "okta" and canSignIn false
    When Okta re-assigns the user "dave"
    And an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "okta" and canSignIn true

  @id:invite-deleted-stays-in-admin-view
  Scenario: A deleted user stays in the admin view as an inactive record
    Given Okta has assigned the user "alice"
    When a client deletes the user "alice"
    Then the response status is 204
    When an admin looks at the user "alice"
    Then the admin view of "alice" shows it deleted and inactive
