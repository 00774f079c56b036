package target_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/xakia-okta/scimtest/steps/target"
)

// Start the image named by SCIM_IMAGE (already loaded with docker load), or
// the reference image built by `make image`, and print the suite's settings.
func ExampleStart() {
	ctx := context.Background()
	tgt, err := target.Start(ctx, target.Options{Image: os.Getenv("SCIM_IMAGE")})
	switch {
	case errors.Is(err, target.ErrNoDocker):
		fmt.Println("not run:", err) // report the container run as not run, never as passed
		return
	case err != nil:
		fmt.Println(err) // e.g. ErrImageNotPresent with a "docker load -i" hint
		return
	}
	defer tgt.Terminate(ctx)

	fmt.Println("SCIM_BASE_URL=" + tgt.BaseURL)
	fmt.Println("SCIM_BASE_URL_2=" + tgt.BaseURL2)
	fmt.Println("XAKIA_ADMIN_URL=" + tgt.AdminURL)
	fmt.Printf("image %s, %d bytes, ready in %s\n", tgt.Image, tgt.ImageSize, tgt.StartupDuration)
}
