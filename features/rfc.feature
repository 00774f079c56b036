@rfc
Feature: RFC 7643 and 7644 rules beyond Okta's traffic
  Okta sends one primary email, never asks for attributes and never sends ETag
  preconditions, so its own tests pass servers that break these rules. Other SCIM
  clients (and the next Okta feature) rely on them. Each scenario checks one rule and
  accepts every behaviour the RFCs allow: a write that would give several primary
  values may be refused with 400 or normalised to one primary; a PATCH may answer 200
  with the user or 204. The ETag scenarios run only when ServiceProviderConfig
  advertises etag.supported. Returning a (type, value) pair twice, and a new
  meta.version for a PATCH that changes nothing, break a SHOULD of the RFCs: warnings.

  Background:
    Given Okta has assigned the user "alice"

  @id:rfc-one-primary-create
  Scenario: A create with two primary emails is refused or keeps exactly one primary
    When a client creates the user "bob" with two primary emails
    Then the write is refused with 400 or leaves exactly one primary email [rfc: RFC 7643 §2.4]

  @id:rfc-one-primary-put
  Scenario: A PUT with two primary emails is refused or keeps exactly one primary
    When a client replaces the emails of "alice" with two primary emails by PUT
    Then the write is refused with 400 or leaves exactly one primary email [rfc: RFC 7643 §2.4]

  @id:rfc-one-primary-patch
  Scenario: A PATCH replacing the emails with two primary emails is refused or keeps exactly one primary
    When a client replaces the whole emails array of "alice" with two primary emails by PATCH
    Then the write is refused with 400 or leaves exactly one primary email [rfc: RFC 7643 §2.4]

  @id:rfc-no-duplicate-values
  Scenario: The same (type, value) pair sent twice is not returned twice
    When a client creates the user "bob" with the same work email twice
    Then the write is refused with 400 or returns the work email once [advice: RFC 7643 §2.4]

  @id:rfc-noop-patch-keeps-version
  Scenario: A PATCH adding a value already present leaves meta.version and meta.lastModified unchanged
    Given the displayName of "alice" has been set to "Alice Same" by PATCH
    When a client adds the displayName "Alice Same" to "alice" by PATCH
    Then the PATCH succeeded and left meta.version and meta.lastModified of "alice" unchanged [rfc: RFC 7644 §3.5.2.1]

  @id:rfc-noop-patch-email-keeps-version
  Scenario: A PATCH adding an email already present leaves meta.version and meta.lastModified unchanged
    When a client adds the work email "alice" already has by PATCH
    Then the PATCH succeeded and left meta.version and meta.lastModified of "alice" unchanged [rfc: RFC 7644 §3.5.2.1]

  @id:rfc-attributes-get
  Scenario: attributes on a GET by id returns only id, schemas and the requested attributes
    When a client reads "alice" by id with attributes "userName,externalId"
    Then the returned user holds only id, schemas and the requested attributes [rfc: RFC 7644 §3.4.2.5]

  @id:rfc-excluded-attributes-get
  Scenario: excludedAttributes on a GET by id leaves the excluded attributes out
    When a client reads "alice" by id with excludedAttributes "active,externalId"
    Then the returned user lacks the excluded attributes and still holds id and schemas [rfc: RFC 7644 §3.4.2.5]

  @id:rfc-attributes-list
  Scenario: attributes on a filtered list returns only id, schemas and the requested attributes
    When a client looks up "alice" by userName with attributes "externalId"
    Then the returned user holds only id, schemas and the requested attributes [rfc: RFC 7644 §3.4.2.5]

  @id:rfc-attributes-put
  Scenario: attributes on a PUT returns only id, schemas and the requested attributes
    When a client replaces "alice" by PUT with attributes "userName"
    Then the returned user holds only id, schemas and the requested attributes [rfc: RFC 7644 §3.9]

  @etag
  @id:rfc-etag-is-version
  Scenario: Every response carrying one user has an ETag equal to meta.version
    When Okta creates the user "bob"
    Then the ETag header equals meta.version of "bob" [rfc: RFC 7643 §3.1]
    When a client sets the displayName of "bob" to "Bob Tagged" by PATCH
    Then the ETag header equals meta.version of "bob" [rfc: RFC 7643 §3.1]
    When Okta reads the user "bob" by id
    Then the ETag header equals meta.version of "bob" [rfc: RFC 7643 §3.1]

  @etag
  @id:rfc-if-match-412
  Scenario: A write whose If-Match names an older version is refused with 412 and changes nothing
    Given "alice" has been changed since its version was read
    When a client sets the displayName of "alice" to "Stale Write" by PATCH with If-Match of the version read before
    Then the write is refused with 412 Precondition Failed [rfc: RFC 7644 §3.14]
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "displayName" equal to "Changed Since Read"
    When a client sets the displayName of "alice" to "Fresh Write" by PATCH with If-Match of its current version
    Then the write succeeded [rfc: RFC 7644 §3.14]
    When the stored profile of "alice" is read back
    Then the stored profile of "alice" has "displayName" equal to "Fresh Write"

  @etag
  @id:rfc-if-none-match-304
  Scenario: A GET whose If-None-Match names the current version answers 304 Not Modified
    When a client reads "alice" by id with If-None-Match of its current version
    Then the server answers 304 Not Modified without a body [rfc: RFC 7644 §3.14]
    When a client reads "alice" by id with If-None-Match of another version
    Then the server answers 200 with the user [rfc: RFC 7644 §3.14]
