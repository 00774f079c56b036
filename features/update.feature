@update @rfc
Feature: Update user attributes
  Okta pushes profile changes with GET then PUT of the full object; OIN apps also
  send PATCH. Because queries return few attributes, a PUT keeps the attributes it
  does not carry and clears those sent empty. Checks docs/behaviour.md §5 (X-5.1,
  X-5.3, X-5.4). Writes are said as the attributes a PUT carries or the operations
  a PATCH holds; the steps build the SCIM JSON. Stored values are read back in a
  When step and named by SCIM attribute paths (emails[0].value).

  Background:
    Given Okta has assigned the user "alice"

  @okta
  @id:update-okta-profile-push
  Scenario: Okta's profile update (GET then PUT of the full object) persists the new values
    When Okta pushes the profile of "alice" with "name.givenName" set to "Alicia"
    Then the response status is 200
    And the response attribute "name.givenName" is "Alicia"
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.givenName" equal to "Alicia"
    And the stored profile of "alice" has "name.familyName" equal to "Conformance"

  @xakia
  @id:update-put-keeps-absent
  Scenario: A PUT without some attributes keeps their stored values
    When a client replaces "alice" by PUT with its userName and:
      | name.givenName | "Ally" |
    Then the response status is 200
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.givenName" equal to "Ally"
    And the stored profile of "alice" has "displayName" equal to "Alice Conformance"
    And the stored profile of "alice" has "emails[0].value" equal to "{alice.userName}"
    And the stored profile of "alice" has "externalId" equal to "{alice.externalId}"
    And the stored profile of "alice" has "active" equal to true

  # A server may re-derive a default for a cleared attribute (RFC 7643 §2.5
  # makes null, "" and [] the same as unassigned): the value sent before must be
  # gone; that nothing at all comes back is Xakia's rule. The displayName is
  # first set to a value no server would derive from the name.
  @id:update-put-clears
  Scenario Outline: A PUT with <how> clears the attribute and is not an error
    Given the displayName of "alice" has been set to "Ally Nickname" by PATCH
    When a client replaces "alice" by PUT with its userName and:
      | <attribute> | <value> |
    Then the response status is 200
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" no longer has "<path>" equal to <old> [rfc: RFC 7643 §2.5]
    And the stored profile of "alice" has no "<attribute>" [xakia: docs/behaviour.md §5]
    And the stored profile of "alice" has "name.givenName" equal to "Alice" [xakia: docs/behaviour.md §5]

    Examples:
      | how                  | attribute   | value | path           | old                |
      | a null displayName   | displayName | null  | displayName    | "Ally Nickname"    |
      | an empty displayName | displayName | ""    | displayName    | "Ally Nickname"    |
      | an empty emails list | emails      | []    | emails[0].value | "{alice.userName}" |
      | a null locale        | locale      | null  | locale         | "en-US"            |

  @id:update-put-replaces-carried
  Scenario: A PUT replaces emails and name when it carries them
    When a client replaces "alice" by PUT with its userName and:
      | name.givenName  | "Alice"                                                            |
      | name.familyName | "Changed"                                                          |
      | emails          | [{"value":"changed-{alice.userName}","type":"work","primary":true}] |
    Then the response status is 200
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.familyName" equal to "Changed"
    And the stored profile of "alice" has "emails[0].value" equal to "changed-{alice.userName}"

  # userName is REQUIRED (RFC 7643 §4.1.1).
  @id:update-put-without-username
  Scenario: A PUT without userName is refused with 400 and changes nothing
    When a client replaces "alice" by PUT without a userName and:
      | displayName | "No UserName" |
    Then the response is a SCIM error with status 400 and scimType "invalidValue"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:update-patch-no-path
  Scenario: An OIN PATCH replace without a path updates the attributes in its value
    When a client patches "alice" with the operations:
      | op      | path | value                                                          |
      | replace |      | {"displayName":"Alice Patched","name":{"givenName":"Alicia"}} |
    Then the response status is 200 or 204
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "displayName" equal to "Alice Patched"
    And the stored profile of "alice" has "name.givenName" equal to "Alicia"
    And the stored profile of "alice" has "name.familyName" equal to "Conformance"
    And the stored profile of "alice" has "emails[0].value" equal to "{alice.userName}"

  @id:update-patch-path
  Scenario: A PATCH with a path updates one attribute and leaves the others
    When a client patches "alice" with the operations:
      | op      | path            | value    |
      | replace | name.familyName | "Pathed" |
    Then the response status is 200 or 204
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.familyName" equal to "Pathed"
    And the stored profile of "alice" has "name.givenName" equal to "Alice"
    And the stored profile of "alice" has "displayName" equal to "Alice Conformance"

  # Not in the RFC grammar: other clients send it, so it is advice.
  @advice
  @id:update-patch-dotted-keys
  Scenario: A PATCH with Entra-style dotted keys in a no-path value is applied
    When a client patches "alice" with the operations:
      | op      | path | value                                                           |
      | Replace |      | {"name.givenName":"Dotted","displayName":"Dotted Conformance"} |
    Then the response status is 200 or 204
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "name.givenName" equal to "Dotted"
    And the stored profile of "alice" has "name.familyName" equal to "Conformance"
    And the stored profile of "alice" has "displayName" equal to "Dotted Conformance"

  @id:update-patch-filtered-path
  Scenario: A PATCH with a filtered path updates the matching email
    When a client patches "alice" with the operations:
      | op      | path                        | value                       |
      | replace | emails[type eq "work"].value | "filtered-{alice.userName}" |
    Then the response status is 200 or 204
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "emails[0].value" equal to "filtered-{alice.userName}"
    And the stored profile of "alice" has "name.givenName" equal to "Alice"

  @id:update-patch-add-remove
  Scenario: A PATCH add and remove with paths are applied
    Given the displayName of "alice" has been set to "Ally Nickname" by PATCH
    When a client patches "alice" with the operations:
      | op     | path        | value     |
      | add    | title       | "Counsel" |
      | remove | displayName |           |
    Then the response status is 200 or 204
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "title" equal to "Counsel"
    And the stored profile of "alice" no longer has "displayName" equal to "Ally Nickname" [rfc: RFC 7644 §3.5.2.2]
    And the stored profile of "alice" has no "displayName" [xakia: docs/behaviour.md §5]
    And the stored profile of "alice" has "name.givenName" equal to "Alice"

  @id:update-put-keeps-id-and-state
  Scenario: Xakia-only state and the id are not changed by a PUT carrying id and meta
    When a client replaces "alice" by PUT with its userName and:
      | id          | "someone-else"            |
      | meta        | {"resourceType":"Group"}  |
      | groups      | [{"value":"g1"}]          |
      | displayName | "Alice Echoed"            |
      | password    | "S3cret!pass"             |
    Then the response status is 200
    And the response attribute "id" is "{alice.id}" [rfc: RFC 7643 §3.1]
    And the response does not contain a password [rfc: RFC 7643 §4.1.1]
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "displayName" equal to "Alice Echoed"
