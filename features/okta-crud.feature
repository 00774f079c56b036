@okta-crud @okta
Feature: Okta's CRUD test lifecycle, replayed by the mock Okta
  Okta's "SCIM 2.0 CRUD Test" needs a real Okta org; the mock Okta replays the same
  lifecycle offline, with Okta's exact requests, for both app styles: OIN (PATCH for
  active) and AIW (GET then PUT for every change). Each task must succeed the way Okta
  judges it, and the server must show the result. Okta's requests are described in
  docs/okta-wire.md; the rules are X-3.2, X-5.1, X-6.1 to X-6.3 and X-8.1 of
  docs/behaviour.md.

  @id:okta-crud-lifecycle
  Scenario Outline: The <style> app provisions a user through Okta's whole CRUD lifecycle
    Given a mock Okta with an <style> app for the location
    When the mock Okta tests the API credentials
    Then the Okta task succeeds
    When the mock Okta assigns a new Okta user "carol"
    Then the Okta task succeeds and created the user "carol"
    When the stored profile of "carol" is read back
    Then the stored profile of "carol" has "name.givenName" equal to "Carol"
    And the stored externalId of "carol" is its Okta user id
    When the mock Okta changes the first name of "carol" to "Caroline"
    Then the Okta task succeeds
    When the stored profile of "carol" is read back
    Then the stored profile of "carol" has "name.givenName" equal to "Caroline"
    When the mock Okta deactivates the Okta user "carol"
    Then the Okta task succeeds
    When Okta reads the user "carol" by id
    Then the server still returns "carol" with active false
    When the mock Okta reactivates the Okta user "carol"
    Then the Okta task succeeds with the same id for "carol"
    When Okta reads the user "carol" by id
    Then the server still returns "carol" with active true
    When the mock Okta unassigns "carol"
    Then the Okta task succeeds
    When Okta reads the user "carol" by id
    Then the server still returns "carol" with active false
    When the mock Okta re-assigns "carol"
    Then the Okta task succeeds with the same id for "carol"
    When Okta reads the user "carol" by id
    Then the server still returns "carol" with active true

    Examples:
      | style |
      | OIN   |
      | AIW   |

  @id:okta-crud-import
  Scenario Outline: The <style> app's import brings in active users and leaves out inactive ones
    Given a mock Okta with an <style> app for the location
    And the mock Okta has assigned new Okta users "erin" and "frank"
    And the mock Okta has unassigned "frank"
    When the mock Okta imports the users
    Then the Okta task succeeds
    And the import lists "erin" and not "frank"
    And the imported "erin" carries the query attributes the target declares

    Examples:
      | style |
      | OIN   |
      | AIW   |

  @admin
  @id:okta-crud-link-pre-existing
  Scenario: The mock Okta links a user that existed before Okta instead of creating it
    Given the user "dave" already exists in Xakia, created by an admin
    And a mock Okta with an OIN app for the location
    When the mock Okta assigns the Okta user "dave" with the same login
    Then the Okta task succeeds and linked the user "dave"
    When an admin looks at the user "dave"
    Then the admin view of "dave" shows invitation "not-needed", sign-in "okta" and canSignIn true [xakia: docs/behaviour.md §4]
