@deactivate @okta
Feature: Deactivate, reactivate and delete users
  Removing a user from the app in Okta, or deactivating the Okta user, deactivates
  the Xakia user: it cannot sign in, but all its data remains as an inactive user.
  Re-assigning brings back the same user. Checks docs/behaviour.md §6 (X-6.1 to
  X-6.4).

  Background:
    Given Okta has assigned the user "alice"

  @id:deactivate-oin-patch
  Scenario: Okta's no-path PATCH deactivates the user
    When Okta deactivates the user "alice" with its OIN PATCH
    Then the response status is 200 or 204
    When Okta reads the user "alice" by id
    Then the response status is 200
    And the response attribute "active" is the boolean false

  @id:deactivate-aiw-put
  Scenario: An AIW PUT with active false deactivates the user
    When Okta deactivates the user "alice" with an AIW GET and PUT
    Then the response status is 200
    And the response attribute "active" is the boolean false
    When Okta reads the user "alice" by id
    Then the response attribute "active" is the boolean false

  @id:deactivate-keeps-data
  Scenario: A deactivated user keeps its data, is still found by lookup and keeps its userName
    Given the user "alice" has been deactivated by Okta
    When Okta reads the user "alice" by id
    Then the response status is 200
    And the response attribute "active" is the boolean false
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.givenName" equal to "Alice" [xakia: docs/behaviour.md §6]
    When Okta looks up the user "alice" by userName
    Then the lookup finds exactly the user "alice"
    When Okta creates the user "alice" again
    Then the response is a SCIM error with status 409 and scimType "uniqueness"

  @id:deactivate-reassign-same-id
  Scenario: Re-assigning a deactivated user returns the same id, active
    Given the user "alice" has been deactivated by Okta
    When Okta re-assigns the user "alice"
    Then the response status is 200 or 204
    When Okta looks up the user "alice" by userName
    Then the lookup finds exactly the user "alice"
    And Resources[0] of the response has "active" equal to true
    When Okta reads the user "alice" by id
    Then the response status is 200
    And the response attribute "active" is the boolean true

  @id:deactivate-aiw-reactivate-same-id
  Scenario: Reactivating with an AIW PUT returns the same id, active
    Given the user "alice" has been deactivated by Okta
    When Okta reactivates the user "alice" with an AIW GET and PUT
    Then the response status is 200
    And the response attribute "id" is "{alice.id}"
    And the response attribute "active" is the boolean true

  @rfc
  @id:deactivate-delete-204-then-404
  Scenario: DELETE answers 204, then the id is 404 and the userName is free again
    When a client deletes the user "alice"
    Then the response status is 204 [rfc: RFC 7644 §3.6]
    When Okta reads the user "alice" by id
    Then the response is a SCIM error with status 404
    When Okta looks up the user "alice" by userName
    Then the response attribute "totalResults" is the integer 0
    When Okta creates the user "alice" again
    Then the response status is 201 [rfc: RFC 7644 §3.6]
    And the response attribute "id" is not "{alice.id}" [rfc: RFC 7644 §3.6]
