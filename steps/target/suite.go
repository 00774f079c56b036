package target

import (
	"context"

	"github.com/xakia-okta/scimtest/steps"
)

// Starter returns the suite's image starter (steps.Config.StartImage): it
// starts the image with Start and maps the Target onto the suite's
// configuration. The suite needs it only for SCIM_IMAGE; programs that leave
// it out do not link the Docker client.
func Starter() steps.ImageStarter {
	return func(ctx context.Context, image, queryAttributes string) (*steps.ImageTarget, error) {
		t, err := Start(ctx, Options{Image: image, QueryAttributes: queryAttributes})
		if err != nil {
			return nil, err
		}
		return &steps.ImageTarget{
			BaseURL: t.BaseURL, APIKey: t.APIKey, BaseURL2: t.BaseURL2, APIKey2: t.APIKey2,
			AdminURL: t.AdminURL, AdminToken: t.AdminToken,
			ContainerID: t.ContainerID, StartupDuration: t.StartupDuration,
			Terminate: t.Terminate,
		}, nil
	}
}
