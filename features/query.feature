@query @okta
Feature: Querying users
  Queries return the attributes the target declares: a Xakia location in the
  default mode returns only id, active and externalId (a declared deviation,
  docs/behaviour.md §7, X-7.1 to X-7.3); a full-attribute server returns what Okta
  reads. Filters and Okta's import walk work either way (§8, X-8.1 and X-8.2).

  Background:
    Given Okta has assigned the user "alice"

  @id:query-get-by-id-attributes
  Scenario: GET by id returns the query attributes the target declares
    When Okta reads the user "alice" by id
    Then the response status is 200
    And the response is the query representation of "alice" (Okta SPEC step 2)

  @id:query-list-attributes
  Scenario: Listed users return the query attributes the target declares
    When Okta looks up the user "alice" by userName
    Then the lookup finds exactly the user "alice"
    And Resources[0] of the response is the query representation of "alice" (Okta SPEC step 1)

  @id:query-without-externalid
  Scenario: A user without an externalId is returned without one
    Given a client has created the user "bob" without an externalId
    When Okta reads the user "bob" by id
    Then the response status is 200
    And the response is the query representation of "bob" (Okta SPEC step 2)

  @xakia
  @id:query-write-returns-full-user
  Scenario: Write responses return the full user even when queries do not
    When Okta pushes the profile of "alice" with "displayName" set to "Alice Full"
    Then the response status is 200
    And the response echoes the profile Okta sent for "alice"

  # The paging scenario sends Okta's literal query: its subject is the wire
  # format of the paging parameters.
  # userName is caseExact false (RFC 7643 §4.1.1), so filters match it case-insensitively.
  @rfc
  @id:query-filter-username-any-case
  Scenario: Filtering by userName in another case finds the user
    When Okta looks up the user "alice" by userName in upper case
    Then the lookup finds exactly the user "alice"

  @id:query-filter-externalid
  Scenario: Filtering by externalId finds the user
    When a client searches the users with the filter externalId eq "{alice.externalId}"
    Then the lookup finds exactly the user "alice"

  @id:query-paging-fields
  Scenario: Paging fields are integers, count is honoured and totalResults counts every user
    Given a client has created the user "bob" without an externalId
    When Okta sends "GET /Users?startIndex=1&count=1"
    Then the response status is 200
    And the response is a ListResponse with integer paging fields
    And the response attribute "itemsPerPage" is the integer 1 [rfc: RFC 7644 §3.4.2.4]
    And the response attribute "startIndex" is the integer 1 [rfc: RFC 7644 §3.4.2.4]
    And the response attribute "totalResults" is an integer of at least 2 [rfc: RFC 7644 §3.4.2]

  @admin @xakia
  @id:query-admin-switches-mode
  Scenario: An admin can switch a location between limited and full query attributes
    Given a new location with limited query attributes created through the admin API
    And Okta has assigned the user "bob"
    When Okta reads the user "bob" by id
    Then the response status is 200
    And the response has no "userName"
    When an admin switches the location to full query attributes
    And Okta reads the user "bob" by id
    Then the response attribute "userName" is "{bob.userName}"
    And the response attribute "name.givenName" is "Bob"
    When an admin switches the location to limited query attributes
    And Okta looks up the user "bob" by userName
    Then the lookup finds exactly the user "bob"
    And Resources[0] of the response has no "userName"

  @import
  @id:query-import-walk
  Scenario: Okta's import walk pages through every user once, in a stable order
    Given 250 users created by Okta in this scenario
    When Okta imports every user with pages of 100
    Then every import page answered 200 with integer paging fields
    And every import page reported the same totalResults [advice: RFC 7644 §3.4.2.4]
    And the import returned totalResults users with no user repeated [advice: RFC 7644 §3.4.2.4]
    And every user created in this scenario was imported exactly once
