package steps

import "github.com/cucumber/godog"

// register binds every step phrase of the embedded features to the World.
// Phrases are anchored; arguments in quotes.
func (w *World) register(godogSC *godog.ScenarioContext) {
	// Every phrase may end with an authority annotation, and every step's
	// error is judged by its authority (see authority.go).
	sc := stepper{sc: godogSC, w: w}
	const req = `"([A-Z]+ [^"]*)"`
	const q = `"([^"]*)"`

	// Requests.
	sc.Step(`^Okta sends `+req+`$`, w.oktaSends)
	sc.Step(`^Okta sends `+req+` without an API key$`, w.oktaSendsWithoutKey)
	sc.Step(`^Okta sends `+req+` with the API key `+q+`$`, w.oktaSendsWithKey)
	sc.Step(`^Okta sends `+req+` with the location's API key in the Basic scheme$`, w.oktaSendsBasic)
	sc.Step(`^Okta sends `+req+` with the old API key$`, w.oktaSendsOldKey)
	sc.Step(`^Okta sends `+req+` with the second location's API key$`, w.oktaSendsSecondKey)
	sc.Step(`^Okta sends `+req+` to the second location with the first location's API key$`, w.oktaSendsToSecondWithFirstKey)
	sc.Step(`^a client sends `+req+`$`, w.clientSends)
	sc.Step(`^a client sends `+req+` with the body:$`, w.clientSendsBody)
	sc.Step(`^a client sends `+req+` without an API key and the body:$`, w.clientSendsNoKeyBody)
	sc.Step(`^a client sends `+req+` with Content-Type `+q+` and the body:$`, w.clientSendsTypedBody)
	sc.Step(`^the next requests go to the (first|second) location$`, w.useLocation)

	// Domain requests (steps_domain.go): the rule's words, the JSON built.
	sc.Step(`^a client replaces `+q+` by PUT with its userName and:$`, w.clientPuts)
	sc.Step(`^a client replaces `+q+` by PUT without a userName and:$`, w.clientPutsNoUserName)
	sc.Step(`^a client patches `+q+` with the operations:$`, w.clientPatches)
	sc.Step(`^a client searches the users with the filter (.+)$`, w.searchFilter)
	sc.Step(`^a client deletes the user `+q+`$`, w.clientDeletes)

	// Generic response checks.
	sc.Step(`^the response status is (\d+)$`, w.statusIs)
	sc.Step(`^the response status is (\d+) or (\d+)$`, w.statusIsOneOf)
	sc.Step(`^the response is a ListResponse with integer paging fields$`, w.isListResponse)
	sc.Step(`^the response attribute `+q+` is the integer (\d+)$`, w.attrIsInteger)
	sc.Step(`^the response attribute `+q+` is an integer of at least (\d+)$`, w.attrIsIntegerAtLeast)
	sc.Step(`^the response attribute `+q+` is the boolean (true|false)$`, w.attrIsBool)
	sc.Step(`^the response attribute `+q+` is `+q+`$`, w.attrIs)
	sc.Step(`^the response attribute `+q+` is not `+q+`$`, w.attrIsNot)
	sc.Step(`^the response is a SCIM error body$`, w.isSCIMErrorBody)
	sc.Step(`^the response is a SCIM error with status (\d+)$`, w.isSCIMError)
	sc.Step(`^the response is a SCIM error with status (\d+) or (\d+)$`, w.isSCIMErrorEither)
	sc.Step(`^the response is a SCIM error with status (\d+) and scimType `+q+`$`, w.isSCIMErrorType)
	sc.Step(`^the response is a SCIM error with status (\d+) and scimType one of `+q+`$`, w.isSCIMErrorTypes)
	sc.Step(`^the response has a WWW-Authenticate header for the Bearer scheme$`, w.hasBearerChallenge)
	sc.Step(`^the response Content-Type is application/scim\+json$`, w.isSCIMContentType)
	sc.Step(`^the response arrived within (\d+) ms$`, w.arrivedWithin)

	// Create and lookup.
	sc.Step(`^Okta has assigned the user `+q+`$`, w.assign)
	sc.Step(`^Okta assigns the user `+q+`$`, w.assign)
	sc.Step(`^Okta looks up the user `+q+` by userName$`, w.lookup)
	sc.Step(`^Okta looks up the user `+q+` by userName in upper case$`, w.lookupUpper)
	sc.Step(`^Okta looks up the user `+q+` by userName with spaces encoded as "\+"$`, w.lookupPlus)
	sc.Step(`^Okta looks up the user `+q+` by userName with the Authorization header `+q+`$`, w.lookupWithAuth)
	sc.Step(`^Okta creates the user `+q+`$`, w.oktaCreates)
	sc.Step(`^Okta creates the user `+q+` with Content-Type `+q+`$`, w.oktaCreatesTyped)
	sc.Step(`^Okta creates the user `+q+` again$`, w.oktaCreatesAgain)
	sc.Step(`^Okta creates the user `+q+` again with the userName in upper case$`, w.oktaCreatesAgainUpper)
	sc.Step(`^a client has created the user `+q+` without an externalId$`, w.clientCreatesWithoutExternalID)
	sc.Step(`^a client creates the user `+q+` with a body larger than 1 MiB$`, w.oversizedCreate)
	sc.Step(`^a client creates the user `+q+` with a body over 1 MiB of many small attributes$`, w.manySmallAttributesCreate)
	sc.Step(`^the oversized body is refused as too large$`, w.refusedAsTooLarge)
	sc.Step(`^the response is a SCIM user with a server-issued id$`, w.isUserWithID)
	sc.Step(`^the Location header equals meta\.location$`, w.locationIsMetaLocation)
	sc.Step(`^the response echoes the profile Okta sent for `+q+`$`, w.echoes)
	sc.Step(`^the response does not contain a password$`, w.noPassword)
	sc.Step(`^the lookup finds exactly the user `+q+`$`, w.findsExactly)
	sc.Step(`^the response attribute "userName" is the userName of `+q+` with its case preserved$`, w.userNamePreserved)
	sc.Step(`^no user `+q+` exists$`, w.noUser)

	// Stored state: When steps read it, Then steps observe what they read.
	sc.Step(`^the stored profile of `+q+` is read back$`, w.readBack)
	sc.Step(`^Okta reads the user `+q+` by id$`, w.oktaReadsByID)
	sc.Step(`^an admin looks at the user `+q+`$`, w.adminLooksAt)
	sc.Step(`^an admin lists the users of the location$`, w.adminListsUsers)
	sc.Step(`^the stored profile of `+q+` has `+q+` equal to (.+?)$`, w.storedHas)
	sc.Step(`^the stored profile of `+q+` has no `+q+`$`, w.storedHasNo)
	sc.Step(`^the stored profile of `+q+` no longer has `+q+` equal to (.+?)$`, w.storedNoLonger)
	sc.Step(`^the user `+q+` is unchanged$`, w.unchanged)

	// Update, deactivate, reactivate.
	sc.Step(`^Okta pushes the profile of `+q+` with `+q+` set to `+q+`$`, w.pushProfile)
	sc.Step(`^Okta deactivates the user `+q+` with its OIN PATCH$`, w.deactivateOIN)
	sc.Step(`^Okta deactivates the user `+q+` with an AIW GET and PUT$`, w.deactivateAIW)
	sc.Step(`^Okta reactivates the user `+q+` with an AIW GET and PUT$`, w.reactivateAIW)
	sc.Step(`^the user `+q+` has been deactivated by Okta$`, w.hasBeenDeactivated)
	sc.Step(`^Okta re-assigns the user `+q+`$`, w.reassign)
	sc.Step(`^Okta links the user `+q+` and pushes its profile$`, w.link)
	sc.Step(`^Okta has linked the user `+q+` and pushed its profile$`, w.hasLinked)
	sc.Step(`^Resources\[0\] of the response has `+q+` equal to (.+?)$`, w.resourcesHas)
	sc.Step(`^Resources\[0\] of the response has no `+q+`$`, func(path string) error { return w.responseHasNo("Resources.0." + path) })

	// Query attributes (deviation-aware) and Okta's SPEC test.
	sc.Step(`^the response is the query representation of `+q+` \(Okta SPEC step (\d+)\)$`, w.queryReprOf)
	sc.Step(`^Resources\[0\] of the response is the query representation of `+q+` \(Okta SPEC step (\d+)\)$`, w.listedQueryReprOf)
	sc.Step(`^the response is the query representation of a user \(Okta SPEC step (\d+)\)$`, w.queryReprAny)
	sc.Step(`^Resources\[0\] of the response is the query representation of a user \(Okta SPEC step (\d+)\)$`, w.listedQueryReprAny)
	sc.Step(`^Okta reads back the first listed user by id$`, w.readFirstListed)
	sc.Step(`^the response attribute "id" is the id of the first listed user$`, w.idIsFirstListed)

	// Import.
	sc.Step(`^(\d+) users created by Okta in this scenario$`, w.bulkCreate)
	sc.Step(`^Okta imports every user with pages of (\d+)$`, w.importAll)
	sc.Step(`^every import page answered 200 with integer paging fields$`, w.pagesOK)
	sc.Step(`^every import page reported the same totalResults$`, w.pagesSameTotal)
	sc.Step(`^the import returned totalResults users with no user repeated$`, w.importComplete)
	sc.Step(`^every user created in this scenario was imported exactly once$`, w.importHasMine)

	// The mock Okta (Okta's CRUD test).
	sc.Step(`^a mock Okta with an (OIN|AIW) app for the location$`, w.mockOkta)
	sc.Step(`^the mock Okta tests the API credentials$`, w.oktaTestConnection)
	sc.Step(`^the mock Okta assigns a new Okta user `+q+`$`, w.oktaAssignNew)
	sc.Step(`^the mock Okta assigns the Okta user `+q+` with the same login$`, w.oktaAssignExisting)
	sc.Step(`^the Okta task succeeds$`, w.oktaSucceeds)
	sc.Step(`^the Okta task succeeds and created the user `+q+`$`, w.oktaCreated)
	sc.Step(`^the Okta task succeeds and linked the user `+q+`$`, w.oktaLinked)
	sc.Step(`^the Okta task succeeds with the same id for `+q+`$`, w.oktaSameID)
	sc.Step(`^the stored externalId of `+q+` is its Okta user id$`, w.oktaIDOf)
	sc.Step(`^the mock Okta changes the first name of `+q+` to `+q+`$`, w.oktaChangeFirstName)
	sc.Step(`^the mock Okta deactivates the Okta user `+q+`$`, w.oktaDeactivate)
	sc.Step(`^the mock Okta reactivates the Okta user `+q+`$`, w.oktaReactivate)
	sc.Step(`^the mock Okta unassigns `+q+`$`, w.oktaUnassign)
	sc.Step(`^the mock Okta re-assigns `+q+`$`, w.oktaReassign)
	sc.Step(`^the mock Okta has assigned new Okta users `+q+` and `+q+`$`, w.oktaHasAssigned)
	sc.Step(`^the mock Okta has unassigned `+q+`$`, w.oktaHasUnassigned)
	sc.Step(`^the mock Okta imports the users$`, w.oktaImport)
	sc.Step(`^the import lists `+q+` and not `+q+`$`, w.importLists)
	sc.Step(`^the imported `+q+` carries the query attributes the target declares$`, w.importedDeclared)
	sc.Step(`^the server still returns `+q+` with active (true|false)$`, w.serverReturnsActive)

	// Admin API.
	sc.Step(`^a new location created through the admin API$`, w.newLocation)
	sc.Step(`^a new location with (limited|full) query attributes created through the admin API$`, w.createLocationIn)
	sc.Step(`^an admin switches the location to (limited|full) query attributes$`, w.setQueryMode)
	sc.Step(`^the response has no `+q+`$`, w.responseHasNo)
	sc.Step(`^an admin generates a new API key for the location$`, w.newKey)
	sc.Step(`^the user `+q+` already exists in Xakia, created by an admin$`, w.preExisting)
	sc.Step(`^the admin API lists exactly one user `+q+` in the location$`, w.adminListsOne)
	sc.Step(`^the admin view of `+q+` shows invitation `+q+`, sign-in `+q+` and canSignIn (true|false)$`, w.adminView)
	sc.Step(`^the admin view of `+q+` shows it deleted and inactive$`, w.adminDeleted)
	sc.Step(`^an admin invites the user `+q+`$`, w.invite)
	sc.Step(`^an admin has invited the user `+q+`$`, w.hasInvited)
	sc.Step(`^the admin request succeeded$`, w.adminSucceeded)
	sc.Step(`^the admin request is refused with (\d+)$`, w.adminRefused)

	// Web sign-in (steps_signin.go).
	sc.Step(`^the user `+q+` already exists in Xakia with a password, created by an admin$`, w.preExistingWithPassword)
	sc.Step(`^`+q+` signs in with (?:a|the) password$`, w.signInWithPassword)
	sc.Step(`^`+q+` signs in with a wrong password$`, w.signInWithWrongPassword)
	sc.Step(`^`+q+` signs in with Okta$`, w.signInWithOkta)
	sc.Step(`^the sign-in succeeds$`, w.signInSucceeds)
	sc.Step(`^the sign-in is refused as `+q+`, saying `+q+`$`, w.signInRefused)
	sc.Step(`^the sign-in audit shows the last sign-in of `+q+` as `+q+`$`, w.auditShowsSignIn)

	// RFC 7643/7644 rules Okta does not exercise (steps_rfc.go).
	w.registerRFC(sc)
	w.registerFilter(sc)

	// The help article, clicked in a browser (steps_article.go).
	w.registerArticle(sc)
}
