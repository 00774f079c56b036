@two-locations @isolation @xakia
Feature: Locations are isolated
  Each Xakia location has its own SCIM base URI, API key and users: a key never
  reaches another location, ids never cross, and the same userName may exist in
  both. Checks docs/behaviour.md §1 (X-1.1, X-1.5). Sending one location's key or
  ids to the other is the point, so these scenarios send literal requests.

  @id:isolation-key-refused-elsewhere
  Scenario: The first location's key is refused by the second location
    When Okta sends "GET /Users?startIndex=1&count=2" to the second location with the first location's API key
    Then the response is a SCIM error with status 401
    And the response has a WWW-Authenticate header for the Bearer scheme

  @id:isolation-id-404-elsewhere
  Scenario: A user id of one location is 404 in the other
    Given Okta has assigned the user "alice"
    When the next requests go to the second location
    And Okta sends "GET /Users/{alice.id}"
    Then the response is a SCIM error with status 404
    When Okta deactivates the user "alice" with its OIN PATCH
    Then the response is a SCIM error with status 404
    When a client sends "PUT /Users/{alice.id}" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{alice.userName}","active":false}
      """
    Then the response is a SCIM error with status 404
    When a client sends "DELETE /Users/{alice.id}"
    Then the response is a SCIM error with status 404
    When the next requests go to the first location
    And the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:isolation-lookup-misses-elsewhere
  Scenario: A user of one location is not found by the other location's lookup
    Given Okta has assigned the user "alice"
    When the next requests go to the second location
    And Okta looks up the user "alice" by userName
    Then the response attribute "totalResults" is the integer 0

  @id:isolation-same-username-both
  Scenario: The same userName may exist in both locations
    Given Okta has assigned the user "alice"
    When the next requests go to the second location
    And Okta creates the user "alice" again
    Then the response status is 201
    When Okta looks up the user "alice" by userName
    Then the response attribute "totalResults" is the integer 1
