@connection @okta
Feature: Test API Credentials and authentication
  Okta's "Test API Credentials" button sends two fixed requests and needs both to
  answer 200 with a ListResponse. Every request carries the location's SCIM API key
  as a bearer token; anything else is refused with 401, a SCIM error and
  WWW-Authenticate: Bearer. Checks docs/behaviour.md §1 and §2 (X-1.4 to X-1.6,
  X-2.1, X-2.2). These scenarios are about the wire (Okta's two fixed requests and
  the Authorization header), so they send literal requests.

  @id:connection-users-test-call
  Scenario: Okta's Users test call answers a ListResponse with integer paging fields
    When Okta sends "GET /Users?startIndex=1&count=2"
    Then the response status is 200
    And the response is a ListResponse with integer paging fields

  # Okta calls /Groups in its test only when the app imports or pushes groups;
  # Xakia's app promises it anyway (docs/behaviour.md §2).
  @id:connection-groups-test-call
  Scenario: Okta's Groups test call answers a ListResponse
    When Okta sends "GET /Groups?startIndex=1&count=100"
    Then the response status is 200 [xakia: docs/behaviour.md §2]
    And the response is a ListResponse with integer paging fields [xakia: docs/behaviour.md §2]

  @admin
  @id:connection-empty-location
  Scenario: Both test calls succeed on a location with no users
    Given a new location created through the admin API
    When Okta sends "GET /Users?startIndex=1&count=2"
    Then the response status is 200
    And the response is a ListResponse with integer paging fields
    And the response attribute "totalResults" is the integer 0
    When Okta sends "GET /Groups?startIndex=1&count=100"
    Then the response status is 200 [xakia: docs/behaviour.md §2]
    And the response is a ListResponse with integer paging fields [xakia: docs/behaviour.md §2]

  @xakia-profile @xakia
  @id:connection-groups-not-supported
  Scenario: Groups are not a Xakia feature: the list is empty and writes answer 501
    When Okta sends "GET /Groups?startIndex=1&count=100"
    Then the response attribute "totalResults" is the integer 0
    When a client sends "POST /Groups" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering"}
      """
    Then the response is a SCIM error with status 501

  @id:connection-no-key-401
  Scenario: A request without an API key is refused with 401
    When Okta sends "GET /Users?startIndex=1&count=2" without an API key
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    And the response has a WWW-Authenticate header for the Bearer scheme [rfc: RFC 7235 §3.1]

  @id:connection-wrong-key-401
  Scenario: A request with a wrong API key is refused with 401
    When Okta sends "GET /Users?startIndex=1&count=2" with the API key "not-the-key-0123456789abcdef0123456789"
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    And the response has a WWW-Authenticate header for the Bearer scheme [rfc: RFC 7235 §3.1]

  @id:connection-wrong-scheme-401
  Scenario: A request with a key in the wrong scheme is refused with 401
    When Okta sends "GET /Users?startIndex=1&count=2" with the location's API key in the Basic scheme
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    And the response has a WWW-Authenticate header for the Bearer scheme [rfc: RFC 7235 §3.1]

  @id:connection-writes-without-key
  Scenario: Writes without a valid API key are refused and change nothing
    Given Okta has assigned the user "alice"
    When a client sends "PATCH /Users/{alice.id}" without an API key and the body:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @admin @xakia
  @id:connection-rotated-key
  Scenario: A rotated API key stops working at once and the new key works
    Given a new location created through the admin API
    And Okta has assigned the user "alice"
    When an admin generates a new API key for the location
    And Okta sends "GET /Users?startIndex=1&count=2" with the old API key
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    And the response has a WWW-Authenticate header for the Bearer scheme [rfc: RFC 7235 §3.1]
    When Okta sends "GET /Users/{alice.id}"
    Then the response status is 200

  @two-locations
  @id:connection-other-location-key-401
  Scenario: The API key of another location is refused with 401
    When Okta sends "GET /Users?startIndex=1&count=2" with the second location's API key
    Then the response is a SCIM error with status 401 [rfc: RFC 7644 §3.12]
    And the response has a WWW-Authenticate header for the Bearer scheme [rfc: RFC 7235 §3.1]
