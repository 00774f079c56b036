@errors @rfc
Feature: Errors are SCIM errors and change nothing
  Bad input is answered with the right 4xx status and a SCIM error body (Error
  schema, status as a string, a non-empty detail, no stack trace, no secret), and
  leaves the stored data as it was. Checks docs/behaviour.md §9 (X-9.1 to X-9.3)
  and the atomic PATCH of X-5.2. Most scenarios here are about the wire itself
  (malformed JSON, wrong schemas, wrong JSON types, unknown ids and media types),
  so they send literal requests; the rest say which operations a PATCH holds.

  Background:
    Given Okta has assigned the user "alice"

  # Every other scenario here relies on this shape; when it is broken, they are
  # blocked by this scenario's finding rather than failed again.
  @id:errors-scim-error-body
  Scenario: Error responses carry a SCIM error body with the Error schema and the status as a string
    When Okta sends "GET /Users/unknown-0000-id"
    Then the response is a SCIM error body [rfc: RFC 7644 §3.12]

  @id:errors-malformed-json-put
  Scenario: Malformed JSON is refused with 400 invalidSyntax
    When a client sends "PUT /Users/{alice.id}" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{alice.userName}","displayName":
      """
    Then the response is a SCIM error with status 400 and scimType "invalidSyntax"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-malformed-json-create
  Scenario: A malformed create is refused with 400 invalidSyntax and creates nothing
    When a client sends "POST /Users" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{bob.userName}",
      """
    Then the response is a SCIM error with status 400 and scimType "invalidSyntax"
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists

  @id:errors-create-wrong-schemas
  Scenario: A create with the wrong schemas is refused with 400 invalidSyntax
    When a client sends "POST /Users" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"{bob.userName}","active":true}
      """
    Then the response is a SCIM error with status 400 and scimType "invalidSyntax"
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists

  @id:errors-create-without-username
  Scenario: A create without userName is refused with 400 invalidValue
    When a client sends "POST /Users" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"name":{"givenName":"Bob"},"active":true}
      """
    Then the response is a SCIM error with status 400 and scimType "invalidValue"

  @id:errors-create-wrong-type
  Scenario Outline: A create with a wrong type is refused with 400 invalidValue (<what>)
    When a client sends "POST /Users" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":<userName>,"active":<active>}
      """
    Then the response is a SCIM error with status 400 and scimType "invalidValue"
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists

    Examples:
      | what                 | userName          | active  |
      | userName is a number | 42                | true    |
      | active is a string   | "{bob.userName}"  | "maybe" |

  @id:errors-invalid-filter
  Scenario Outline: An invalid filter is refused with 400 invalidFilter (<what>)
    When a client searches the users with the filter <filter>
    Then the response is a SCIM error with status 400 and scimType "invalidFilter"

    Examples:
      | what              | filter          |
      | unknown operator  | userName zz "x" |
      | missing value     | userName eq     |
      | unbalanced quotes | userName eq "x  |

  @id:errors-patch-unknown-op
  Scenario: A PATCH with an unknown op is refused with 400 and changes nothing
    When a client patches "alice" with the operations:
      | op         | path        | value |
      | frobnicate | displayName | "X"   |
    Then the response is a SCIM error with status 400 and scimType one of "invalidSyntax, invalidValue, invalidPath"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-patch-invalid-path
  Scenario: A PATCH with an invalid path is refused with 400 and changes nothing
    When a client patches "alice" with the operations:
      | op      | path           | value            |
      | replace | emails[type eq | "x@example.test" |
    Then the response is a SCIM error with status 400 and scimType one of "invalidPath, invalidFilter, invalidSyntax"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-patch-remove-without-path
  Scenario: A PATCH remove without a path is refused with 400 noTarget
    When a client patches "alice" with the operations:
      | op     | path | value |
      | remove |      |       |
    Then the response is a SCIM error with status 400 and scimType one of "noTarget, invalidPath"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-patch-atomic-bad-value
  Scenario: A PATCH is atomic: a failing second operation undoes the first
    When a client patches "alice" with the operations:
      | op      | path           | value          |
      | replace | displayName    | "Half Applied" |
      | replace | name.givenName | "Half"         |
      | replace | active         | "maybe"        |
    Then the response is a SCIM error with status 400 and scimType "invalidValue"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-patch-atomic-bad-path
  Scenario: A PATCH is atomic: a later operation with a bad path leaves nothing half-done
    When a client patches "alice" with the operations:
      | op      | path              | value                          |
      | replace |                   | {"displayName":"Half Applied"} |
      | replace | displayName.first | "x"                            |
    Then the response is a SCIM error with status 400 and scimType one of "invalidPath, noTarget"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  @id:errors-patch-without-patchop-schema
  Scenario: A PATCH without the PatchOp schema is refused with 400 invalidSyntax
    When a client sends "PATCH /Users/{alice.id}" with the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response is a SCIM error with status 400 and scimType "invalidSyntax"
    When the stored profile of "alice" is read back
    Then the user "alice" is unchanged

  # Bodies over the limit: 413 is Xakia's rule. A 2xx means no limit at all; a
  # 400 from a field-length check is a limit of another kind (advice).
  @xakia
  @id:errors-413-one-long-value
  Scenario: A body over 1 MiB made of one long value is refused with 413 and creates nothing
    When a client creates the user "bob" with a body larger than 1 MiB
    Then the oversized body is refused as too large
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists

  @xakia
  @id:errors-413-many-small-attributes
  Scenario: A body over 1 MiB made of many small attributes is refused with 413 and creates nothing
    When a client creates the user "bob" with a body over 1 MiB of many small attributes
    Then the oversized body is refused as too large
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists

  @id:errors-unknown-id-404
  Scenario Outline: An unknown id is 404 for <method>
    When a client sends "<method> /Users/unknown-0000-id" with the body:
      """
      <body>
      """
    Then the response is a SCIM error with status 404

    Examples:
      | method | body                                                                                                                  |
      | GET    |                                                                                                                       |
      | PUT    | {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{bob.userName}"}                                |
      | PATCH  | {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]} |
      | DELETE |                                                                                                                       |

  @xakia
  @id:errors-unsupported-media-type
  Scenario: An unsupported media type is refused with 415 or 400 and creates nothing
    When a client sends "POST /Users" with Content-Type "text/plain" and the body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{bob.userName}","active":true}
      """
    Then the response is a SCIM error with status 415 or 400
    When Okta looks up the user "bob" by userName
    Then no user "bob" exists
