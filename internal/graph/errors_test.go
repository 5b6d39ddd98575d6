package graph

import (
	"net/http"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func TestKindOfIsNarrowAboutNotFound(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   apierr.Kind
	}{
		{http.StatusNotFound, "Request_ResourceNotFound", apierr.KindNotFound},
		{http.StatusNotFound, "ResourceNotFound", apierr.KindNotFound},
		{http.StatusNotFound, "", apierr.KindOther}, // a proxy's or a wrong endpoint's 404
		{http.StatusTooManyRequests, "", apierr.KindThrottled},
		{http.StatusUnauthorized, "InvalidAuthenticationToken", apierr.KindUnauthorized},
		{http.StatusForbidden, "Authorization_RequestDenied", apierr.KindForbidden},
	}
	for _, tc := range cases {
		if got := kindOf(tc.status, tc.code); got != tc.want {
			t.Errorf("kindOf(%d, %q) = %v, want %v", tc.status, tc.code, got, tc.want)
		}
	}
}
