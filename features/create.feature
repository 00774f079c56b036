@create @okta
Feature: Create users (assign in Okta)
  Assigning a person to the Xakia app makes Okta look the userName up and, on a
  miss, POST the user. The user becomes a member of the location. Checks
  docs/behaviour.md §3 (X-3.1 to X-3.6) and the linking of X-4.3.

  @id:create-lookup-miss
  Scenario: Okta's lookup of an unknown userName answers 200 with totalResults 0
    When Okta looks up the user "alice" by userName
    Then the response status is 200
    And the response is a ListResponse with integer paging fields
    And the response attribute "totalResults" is the integer 0

  @id:create-answers-201
  Scenario: Okta's create answers 201 with the created user and a Location header
    When Okta creates the user "alice"
    Then the response status is 201 [rfc: RFC 7644 §3.3]
    And the response is a SCIM user with a server-issued id
    And the Location header equals meta.location [rfc: RFC 7644 §3.3]
    And the response echoes the profile Okta sent for "alice" [xakia: docs/behaviour.md §3]
    And the response Content-Type is application/scim+json [xakia: docs/behaviour.md §3]

  @rfc
  @id:create-password-never-returned
  Scenario: The password Okta sends is never returned
    When Okta assigns the user "alice"
    Then the response does not contain a password [rfc: RFC 7643 §4.1.1]
    When Okta reads the user "alice" by id
    Then the response status is 200
    And the response does not contain a password [rfc: RFC 7643 §4.1.1]
    When Okta looks up the user "alice" by userName
    Then the response does not contain a password [rfc: RFC 7643 §4.1.1]

  @id:create-found-by-lookup
  Scenario: A created user is found by Okta's lookup with the same id
    Given Okta has assigned the user "alice"
    When Okta looks up the user "alice" by userName
    Then the lookup finds exactly the user "alice"

  @id:create-lookup-plus-spaces
  Scenario: Okta's lookup with spaces encoded as + also works
    Given Okta has assigned the user "alice"
    When Okta looks up the user "alice" by userName with spaces encoded as "+"
    Then the lookup finds exactly the user "alice"

  @xakia
  @id:create-username-case-kept
  Scenario: userName keeps the case it was created with
    When Okta assigns the user "MixedCase"
    Then the response attribute "userName" is the userName of "MixedCase" with its case preserved

  @id:create-409-other-case
  Scenario: A second create with the same userName in another case is refused with 409 uniqueness
    Given Okta has assigned the user "alice"
    When Okta creates the user "alice" again with the userName in upper case
    Then the response is a SCIM error with status 409 and scimType "uniqueness"
    When Okta looks up the user "alice" by userName
    Then the lookup finds exactly the user "alice"

  @id:create-409-same-username
  Scenario: A second create with exactly the same userName is refused with 409 uniqueness
    Given Okta has assigned the user "alice"
    When Okta creates the user "alice" again
    Then the response is a SCIM error with status 409 and scimType "uniqueness"

  @admin @xakia
  @id:create-link-pre-existing
  Scenario: A user that existed before Okta is found by lookup and linked, not created again
    Given the user "dave" already exists in Xakia, created by an admin
    When Okta looks up the user "dave" by userName
    Then the lookup finds exactly the user "dave"
    When Okta creates the user "dave" again
    Then the response is a SCIM error with status 409 and scimType "uniqueness"
    When an admin lists the users of the location
    Then the admin API lists exactly one user "dave" in the location

  @xakia
  @id:create-content-type-json
  Scenario: A create sent as application/json is accepted
    When Okta creates the user "alice" with Content-Type "application/json"
    Then the response status is 201 or 200
    And the response Content-Type is application/scim+json

  @id:create-content-type-scim-json
  Scenario: A create sent as application/scim+json is accepted
    When Okta creates the user "alice" with Content-Type "application/scim+json"
    Then the response status is 201 or 200

  # About the body itself (attributes no schema defines), so the request is literal.
  @xakia
  @id:create-unknown-attributes-ignored
  Scenario: Unknown attributes in a create are ignored, not fatal
    When a client sends "POST /Users" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"{bob.userName}","name":{"givenName":"Bob","familyName":"Conformance"},
       "favouriteColour":"teal","x-okta-custom":{"level":3},"active":true}
      """
    Then the response status is 201 or 200
    And the response attribute "userName" is "{bob.userName}"

  @admin @xakia
  @id:create-member-of-location
  Scenario: A created user is a member of the location
    Given Okta has assigned the user "alice"
    When an admin lists the users of the location
    Then the admin API lists exactly one user "alice" in the location
