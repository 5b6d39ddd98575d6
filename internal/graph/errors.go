package graph

import (
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

const service = "Microsoft Graph"

// translate turns what the SDK returned into an *apierr.Error.
func translate(operation string, sent *sentID, err error) error {
	e := &apierr.Error{Service: service, Operation: operation, ClientRequestID: sent.last}
	var odataErr *odataerrors.ODataError
	var apiErr *abs.ApiError
	var authErr *azidentity.AuthenticationFailedError
	switch {
	case errors.As(err, &odataErr):
		e.StatusCode = odataErr.ResponseStatusCode
		e.RequestID = firstHeader(odataErr.ResponseHeaders, "request-id")
		if main := odataErr.GetErrorEscaped(); main != nil {
			e.Code = deref(main.GetCode())
			e.Message = deref(main.GetMessage())
			if inner := main.GetInnerError(); inner != nil && deref(inner.GetRequestId()) != "" {
				e.RequestID = deref(inner.GetRequestId())
			}
		}
	case errors.As(err, &apiErr):
		// An error answer without a Graph error body.
		e.StatusCode = apiErr.ResponseStatusCode
		e.RequestID = firstHeader(apiErr.ResponseHeaders, "request-id")
		e.Message = apiErr.Message
	case errors.As(err, &authErr):
		// Sign-in failed before any request was sent.
		e.Kind = apierr.KindUnauthorized
		e.Err = err
		return e
	default:
		// No answer: a transport error, a timeout, or a response that could not be read.
		e.Err = err
	}
	e.Kind = kindOf(e.StatusCode, e.Code)
	return e
}

func kindOf(status int, code string) apierr.Kind {
	switch {
	// Only Graph's own word that the object is missing counts: a bare 404 can come from a proxy or
	// a wrong endpoint, and must not make a resource look deleted.
	case code == "Request_ResourceNotFound" || code == "ResourceNotFound":
		return apierr.KindNotFound
	case status == http.StatusUnauthorized:
		return apierr.KindUnauthorized
	case status == http.StatusForbidden:
		return apierr.KindForbidden
	case status == http.StatusTooManyRequests:
		return apierr.KindThrottled
	case status == http.StatusBadRequest:
		return apierr.KindInvalidInput
	default:
		return apierr.KindOther
	}
}

func firstHeader(headers *abs.ResponseHeaders, name string) string {
	if headers == nil {
		return ""
	}
	if values := headers.Get(name); len(values) > 0 {
		return values[0]
	}
	return ""
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
