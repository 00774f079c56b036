@admin @signin @xakia
Feature: Sign-in follows the invite rules
  The invite rules proven through real sign-ins on the target's web sign-in page, not
  only through the admin view: a user Okta created cannot sign in until an admin
  invites it; a member who existed before Okta needs no invite and, once Okta's first
  write converts it, signs in with Okta and no longer with its password; a deactivated
  user cannot sign in. Every outcome is in the target's sign-in audit. Checks
  docs/behaviour.md X-4.1 to X-4.3 and X-6.2, X-6.3 (see docs/xakia-web.md for the pages).
  Scenarios tagged @oidc need "Sign in with Okta" on the sign-in page and an OIDC
  provider the suite can sign its users in at; the others need only the password form.

  @id:signin-pre-existing-password
  Scenario: A member who existed before Okta signs in with a password and needs no invite
    Given the user "dave" already exists in Xakia with a password, created by an admin
    When "dave" signs in with the password
    Then the sign-in succeeds
    And the sign-in audit shows the last sign-in of "dave" as "signed-in"

  @id:signin-wrong-password
  Scenario: A wrong password is refused
    Given the user "dave" already exists in Xakia with a password, created by an admin
    When "dave" signs in with a wrong password
    Then the sign-in is refused as "wrong-password", saying "not right"
    And the sign-in audit shows the last sign-in of "dave" as "wrong-password"

  @id:signin-password-refused-after-okta
  Scenario: After Okta's first write a pre-existing member no longer signs in with its password
    Given the user "dave" already exists in Xakia with a password, created by an admin
    And Okta has linked the user "dave" and pushed its profile
    When "dave" signs in with the password
    Then the sign-in is refused as "okta-only", saying "your account now signs in with Okta"
    And the sign-in audit shows the last sign-in of "dave" as "okta-only"

  @oidc
  @id:signin-okta-user-needs-invite
  Scenario: A user Okta created cannot sign in with Okta until an admin invites it
    Given Okta has assigned the user "alice"
    When "alice" signs in with Okta
    Then the sign-in is refused as "not-invited", saying "ask your Xakia admin to invite you"
    And the sign-in audit shows the last sign-in of "alice" as "not-invited"
    When an admin invites the user "alice"
    And "alice" signs in with Okta
    Then the sign-in succeeds
    And the sign-in audit shows the last sign-in of "alice" as "signed-in"

  @oidc
  @id:signin-deactivated-refused
  Scenario: A deactivated user cannot sign in with Okta
    Given Okta has assigned the user "alice"
    And an admin has invited the user "alice"
    And the user "alice" has been deactivated by Okta
    When "alice" signs in with Okta
    Then the sign-in is refused as "inactive", saying "inactive user"
    And the sign-in audit shows the last sign-in of "alice" as "inactive"

  @oidc
  @id:signin-reassigned-invited-signs-in
  Scenario: Re-assigning an invited user lets it sign in with Okta again without a new invite
    Given Okta has assigned the user "alice"
    And an admin has invited the user "alice"
    And the user "alice" has been deactivated by Okta
    When Okta re-assigns the user "alice"
    And "alice" signs in with Okta
    Then the sign-in succeeds

  @oidc
  @id:signin-pre-existing-converted-signs-in-with-okta
  Scenario: A pre-existing member converted by Okta's first write signs in with Okta without an invite
    Given the user "dave" already exists in Xakia with a password, created by an admin
    And Okta has linked the user "dave" and pushed its profile
    When "dave" signs in with Okta
    Then the sign-in succeeds
    And the sign-in audit shows the last sign-in of "dave" as "signed-in"
