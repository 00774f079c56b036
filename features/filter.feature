@filter @rfc
Feature: Filters work as RFC 7644 defines them when the server advertises filtering
  A server whose ServiceProviderConfig says filter.supported is true takes the
  whole filter grammar of RFC 7644 §3.4.2.2: every comparison operator, the
  logical operators and grouping, and filters on sub-attributes of multi-valued
  attributes. Okta itself only sends `userName eq` and `externalId eq` (checked
  by the create and query features); other clients send the rest. The users of
  each scenario get unique userNames, so the checks look only at them: a server
  may return other users too.
  Scenarios here are not run when the server does not advertise filtering.

  Background:
    Given a client has created the users "fa", "fb" and "fc" for filtering

  @id:filter-operator
  Scenario Outline: The <operator> operator filters as RFC 7644 §3.4.2.2 defines it
    When a client filters the users with <filter>
    Then the filter answers 200 and finds exactly <found> among this scenario's users [rfc: RFC 7644 §3.4.2.2]

    Examples:
      | operator | filter                                   | found          |
      | eq       | userName eq "{fa.userName}"              | "fa"           |
      | ne       | userName ne "{fa.userName}"              | "fb" and "fc"  |
      | co       | userName co "{prefix}fb@"                | "fb"           |
      | sw       | userName sw "{prefix}fc"                 | "fc"           |
      | ew       | userName ew "{prefix}fa@example.test"    | "fa"           |
      | pr       | title pr                                 | "fa" and "fc"  |
      | gt       | userName gt "{fb.userName}"              | "fc"           |
      | ge       | userName ge "{fb.userName}"              | "fb" and "fc"  |
      | lt       | userName lt "{fb.userName}"              | "fa"           |
      | le       | userName le "{fb.userName}"              | "fa" and "fb"  |

  @id:filter-logical-operators
  Scenario Outline: The logical operators and grouping filter as RFC 7644 §3.4.2.2 defines them (<what>)
    When a client filters the users with <filter>
    Then the filter answers 200 and finds exactly <found> among this scenario's users [rfc: RFC 7644 §3.4.2.2]

    Examples:
      | what     | filter                                                                      | found         |
      | and      | userName sw "{prefix}" and title eq "Counsel"                               | "fa"          |
      | or       | userName eq "{fa.userName}" or userName eq "{fc.userName}"                  | "fa" and "fc" |
      | not      | userName sw "{prefix}" and not (title eq "Counsel")                         | "fb" and "fc" |
      | grouping | (userName eq "{fa.userName}" or userName eq "{fb.userName}") and title pr   | "fa"          |

  @id:filter-multi-valued
  Scenario Outline: Filters on multi-valued sub-attributes match as RFC 7644 §3.4.2.2 defines them (<what>)
    When a client filters the users with <filter>
    Then the filter answers 200 and finds exactly <found> among this scenario's users [rfc: RFC 7644 §3.4.2.2]

    Examples:
      | what                       | filter                                              | found |
      | a dotted path              | emails.value eq "{fb.userName}"                     | "fb"  |
      | a value filter             | emails[value eq "{fc.userName}"]                    | "fc"  |
      | a value filter with and    | emails[type eq "work" and value eq "{fa.userName}"] | "fa"  |

  @id:filter-attribute-names-any-case
  Scenario: Attribute names in a filter are case-insensitive
    When a client filters the users with USERNAME Eq "{fb.userName}"
    Then the filter answers 200 and finds exactly "fb" among this scenario's users [rfc: RFC 7643 §2.1]
