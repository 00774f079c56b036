@browser @xakia
Feature: The Xakia help article, followed in a browser
  Xakia's help article "Okta SCIM provisioning", sentence by sentence, clicked in headless
  Chromium: Step 1 in the reference's web UI, Step 2 in the mock Okta org's admin console,
  and what the article promises back in Xakia, down to a real "Sign in with Okta". If the
  product and the article drift apart, the step of the article that no longer holds fails.
  Runs only when selected (SCIM_TAGS=@browser), against the embedded reference and an
  embedded mock Okta org; without Chromium it is not run, with the reason. Checks
  docs/behaviour.md §4 (X-4.1, X-4.2) and §6 (X-6.2 to X-6.4) through the web UI.

  @id:article-assign-invite-signin-unassign
  Scenario: An Okta user assigned to the Xakia app is added, invited, signs in with Okta, and after unassignment stays an inactive user who cannot sign in
    Given I am signed in to Xakia as an admin of a new location "Sydney"
    And "Jane Doe" is a person in Okta who may sign in to Xakia through the OIDC app
    # Step 1: Xakia
    When I click on 'Admin' in the top navigation menu
    And I click on 'Security' in the left hand menu
    And I click on the 'Federated Identity' tab
    And I choose Okta
    And I note down both the 'SCIM Base URI' and 'SCIM API Key' fields, generating a new API key as it is not shown
    # Step 2: Okta
    And I browse the app catalogue in Okta and search for Xakia and add the Xakia app
    And I open the Xakia app in Okta and go to the 'Provisioning' tab
    And I select 'Configure' and then enable the API Integration
    And I enter the SCIM details from Xakia as noted in the previous step
    And I press test as a check, and then save
    And I enable the features by going to Provisioning --> To App, click 'Edit' and select enable for creating, updating and deactivating users and press 'Save'
    And I go to 'Assignments' and click the 'Assign' button and 'Assign to People' for "Jane Doe"
    # Users that are assigned to the Xakia app will be added to Xakia
    Then "Jane Doe" is added to Xakia as a member who is not invited
    # Once 'added' to Xakia, each new Xakia user must be 'invited' by clicking the 'invite' button in Xakia
    When "Jane Doe" tries to sign in to Xakia with Okta
    Then "Jane Doe" cannot sign in with Okta until invited
    When I invite "Jane Doe" by clicking the 'invite' button in Xakia
    And "Jane Doe" signs in to Xakia with Okta
    Then "Jane Doe" is signed in to Xakia with Okta
    # Users that are removed from the Xakia application in Okta are deactivated in Xakia
    When I remove "Jane Doe" from the Xakia application in Okta
    Then "Jane Doe" is deactivated in Xakia
    When "Jane Doe" tries to sign in to Xakia with Okta
    Then "Jane Doe" will not be able to log in to the application
    And the data of "Jane Doe" will remain available as an 'inactive user'

  # Troubleshooting and tips: "The configuration will need to be completed for each of your
  # Xakia locations. To do this, you will need to add a Xakia application for each location
  # and complete the SCIM configuration. The OIDC configuration is to be completed only once."
  @id:article-two-locations-one-oidc
  Scenario: Each Xakia location has its own Xakia app in Okta, and one OIDC configuration signs members of both in
    Given new Xakia locations "Sydney" and "Melbourne"
    And "Jane Doe" and "John Smith" are people in Okta who may sign in to Xakia through the one OIDC app
    When I complete Step 1 in Xakia and Step 2 in Okta for the location "Sydney"
    And I complete Step 1 in Xakia and Step 2 in Okta for the location "Melbourne"
    And I assign "Jane Doe" to the Xakia app of "Sydney" in Okta
    And I assign "John Smith" to the Xakia app of "Melbourne" in Okta
    Then "Jane Doe" is added to "Sydney" and not to "Melbourne"
    And "John Smith" is added to "Melbourne" and not to "Sydney"
    When I invite "Jane Doe" in Xakia and "Jane Doe" signs in with Okta
    And I invite "John Smith" in Xakia and "John Smith" signs in with Okta
    Then "Jane Doe" is signed in to Xakia with Okta
    And "John Smith" is signed in to Xakia with Okta
