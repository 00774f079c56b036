//go:build !containers

package main

import "github.com/xakia-okta/scimtest/steps"

// imageStarter is nil: this build leaves the Docker client out, and conform
// refuses SCIM_IMAGE with a hint (see containers.go).
func imageStarter() steps.ImageStarter { return nil }
