@okta-spec @okta
Feature: Okta's SPEC test (the OIN gate)
  The 12 requests of Okta's "SCIM 2.0 SPEC Test", replayed with Okta's headers
  (docs/okta-wire.md). A full-attribute server passes them all; under the Xakia manifest
  the steps that read query results (1, 2 and the read-back of 7) are checked
  against the declared deviation and reported with their Okta impact. The SPEC test
  is a fixed list of requests, so its scenarios send them literally.

  Background:
    Given Okta has assigned the user "spec"

  @id:okta-spec-step-1
  Scenario: SPEC step 1 - the first listed user carries the attributes Okta reads
    When Okta sends "GET /Users?count=1&startIndex=1"
    Then the response status is 200
    And the response is a ListResponse with integer paging fields
    And Resources[0] of the response is the query representation of a user (Okta SPEC step 1)

  @id:okta-spec-step-2
  Scenario: SPEC step 2 - the listed user is read back by id
    When Okta sends "GET /Users?count=1&startIndex=1"
    And Okta reads back the first listed user by id
    Then the response status is 200
    And the response attribute "id" is the id of the first listed user
    And the response is the query representation of a user (Okta SPEC step 2)

  @id:okta-spec-steps-3-5
  Scenario: SPEC steps 3 and 5 - filters on unknown userNames find nothing
    When Okta looks up the user "nobody" by userName
    Then the response status is 200
    And the response is a ListResponse with integer paging fields
    And the response attribute "totalResults" is the integer 0
    When Okta looks up the user "random7f3a" by userName
    Then the response status is 200
    And the response attribute "totalResults" is the integer 0

  @id:okta-spec-steps-4-12
  Scenario: SPEC steps 4 and 12 - unknown ids are 404 with a SCIM error
    When Okta sends "GET /Users/010101010101-unknown"
    Then the response is a SCIM error with status 404
    When Okta sends "GET /Users/00919288221112222"
    Then the response is a SCIM error with status 404

  @id:okta-spec-steps-6-9
  Scenario: SPEC steps 6 to 9 - create, read back, duplicate and case-insensitive filter
    When Okta creates the user "specnew" with Content-Type "application/json"
    Then the response status is 201
    And the response is a SCIM user with a server-issued id
    And the response attribute "active" is the boolean true
    And the response echoes the profile Okta sent for "specnew"
    When Okta sends "GET /Users/{specnew.id}"
    Then the response status is 200
    And the response is the query representation of "specnew" (Okta SPEC step 7)
    When Okta creates the user "specnew" again
    Then the response status is 409
    When Okta looks up the user "specnew" by userName in upper case
    Then the lookup finds exactly the user "specnew"

  @id:okta-spec-step-10
  Scenario: SPEC step 10 - GET /Groups answers 200 within 600 ms
    When Okta sends "GET /Groups"
    Then the response status is 200
    And the response arrived within 600 ms [advice: Okta SPEC test step 10]

  @id:okta-spec-step-11
  Scenario: SPEC step 11 - a request with a non-token Authorization is refused with 401
    When Okta looks up the user "spec" by userName with the Authorization header "non-token"
    Then the response is a SCIM error with status 401
