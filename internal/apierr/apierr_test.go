package apierr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

// TestErrorKeepsTheServicesMessageAndIDs shows what a user reads: the service's own message,
// unchanged, then the facts that let them find the request in the service's logs.
func TestErrorKeepsTheServicesMessageAndIDs(t *testing.T) {
	cases := []struct {
		name string
		err  *Error
		want string
	}{
		{
			name: "every fact",
			err: &Error{
				Service: "Exchange Online", Operation: "Get-DistributionGroup", Kind: KindNotFound,
				StatusCode: 404, Code: "ManagementObjectNotFoundException", ErrorID: "Ex6F9304",
				Message: "The operation couldn't be performed because object 'pam-approvers' couldn't be found " +
					"on 'AM0PR01A01DC001.EURPR01A001.PROD.OUTLOOK.COM'.",
				RequestID: "r-1", ClientRequestID: "c-1",
			},
			want: "Exchange Online Get-DistributionGroup: The operation couldn't be performed because object " +
				"'pam-approvers' couldn't be found on 'AM0PR01A01DC001.EURPR01A001.PROD.OUTLOOK.COM'. (HTTP 404, code ManagementObjectNotFoundException, " +
				"error id Ex6F9304, request id r-1, client request id c-1)",
		},
		{
			name: "no answer: the transport error stands in for the message",
			err: &Error{Service: "Microsoft Graph", Operation: "GET /organization",
				Err: io.ErrUnexpectedEOF, ClientRequestID: "c-2"},
			want: "Microsoft Graph GET /organization: unexpected EOF (client request id c-2)",
		},
		{
			name: "neither message nor cause: the kind",
			err:  &Error{Service: "Microsoft Graph", Operation: "GET /users", Kind: KindThrottled, StatusCode: 429},
			want: "Microsoft Graph GET /users: throttled (HTTP 429)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestIsSeesThroughWrapping shows that callers can wrap a service error with context and still
// sort it by kind, and that a transport error stays reachable for errors.Is.
func TestIsSeesThroughWrapping(t *testing.T) {
	svc := &Error{Service: "Exchange Online", Operation: "Set-DistributionGroup", Kind: KindNotFound,
		Err: context.DeadlineExceeded}
	wrapped := fmt.Errorf("updating approver group: %w", svc)

	if !Is(wrapped, KindNotFound) || !IsNotFound(wrapped) {
		t.Errorf("Is(wrapped, KindNotFound) = false, want true")
	}
	if Is(wrapped, KindThrottled) {
		t.Errorf("Is(wrapped, KindThrottled) = true for a not-found error")
	}
	if !errors.Is(wrapped, context.DeadlineExceeded) {
		t.Errorf("errors.Is does not reach the transport error through Unwrap")
	}
	var got *Error
	if !errors.As(wrapped, &got) || got != svc {
		t.Errorf("errors.As did not find the *Error")
	}
	for _, err := range []error{nil, errors.New("not found"), fmt.Errorf("wrapped: %w", io.EOF)} {
		if IsNotFound(err) {
			t.Errorf("IsNotFound(%v) = true; only the clients' typed errors are sorted", err)
		}
	}
}

// TestKindStrings shows that each kind has its own word in messages and logs, and that a kind
// this package does not know reads as a plain error.
func TestKindStrings(t *testing.T) {
	want := map[Kind]string{
		KindOther:         "error",
		KindNotFound:      "not found",
		KindAlreadyExists: "already exists",
		KindThrottled:     "throttled",
		KindUnauthorized:  "unauthorized",
		KindForbidden:     "forbidden",
		KindInvalidInput:  "invalid input",
		Kind(99):          "error",
	}
	for k, w := range want {
		if got := k.String(); got != w {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, w)
		}
	}
}
