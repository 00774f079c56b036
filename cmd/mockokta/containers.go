//go:build containers

package main

import (
	"github.com/xakia-okta/scimtest/steps"
	"github.com/xakia-okta/scimtest/steps/target"
)

// imageStarter lets conform start SCIM_IMAGE with testcontainers. Only
// builds with -tags containers (make conformance) link the Docker client;
// the release binaries and the mockokta image stay without it.
func imageStarter() steps.ImageStarter { return target.Starter() }
